import PlanSyncReports

/// The words of the pages in each of their languages. The words a consolidated report already has (plan,
/// period, office, status names) come from `ReportStrings`, so both say the same.
struct PageStrings: Sendable {
    /// The languages the pages are written in, in the order the language links show them.
    static let languages = ReportStrings.languages

    /// Every word the pages write that a report does not.
    enum Label: String, CaseIterable, Sendable {
        case product, signIn, token, signInButton, signOut, badToken, signedInAs, menu, languageMenu
        case plans, decisions, reports, translations, syncNow, noPlans, show, focalPoints, timeFrame
        case latestReports, activityDetails, field, value, translationStatus, noDecisions, openDecisions
        case keepThis, writeNewValue, save, heldEdit, accept, dismiss, candidates, reported, held, approve
        case reopen, writeReport, indicatorsHint, language, downloadHTML, downloadCSV, yes, no, units
        case translated, approvedCount, draft, staleCount, missing, exportXLIFF, needReview, noneNeedReview
        case reportSaved, approvedNotice, reopenedNotice, resolvedNotice, acceptedNotice, dismissedNotice
        case refused, forbidden, badForm, noPeriods, conflictsHere, none, proposed, current, back, sections
    }

    let language: String
    let report: ReportStrings

    init(language: String) {
        self.language = Self.table[language] == nil ? "en" : language
        report = ReportStrings(language: self.language)
    }

    var isRightToLeft: Bool { report.isRightToLeft }

    subscript(_ label: Label) -> String {
        Self.table[language]?[label] ?? Self.table["en"]?[label] ?? label.rawValue
    }

    subscript(_ label: ReportStrings.Label) -> String { report[label] }

    /// Every word, by name, for the templates (`{{t.plans}}`).
    var words: [String: String] { Self.wordsByLanguage[language] ?? [:] }

    /// Every page's words, built once per language rather than for each page.
    private static let wordsByLanguage: [String: [String: String]] = Dictionary(
        uniqueKeysWithValues: languages.map { language in
            let strings = PageStrings(language: language)
            var words: [String: String] = [:]
            for label in Label.allCases { words[label.rawValue] = strings[label] }
            for label in ReportStrings.Label.allCases { words[label.rawValue] = strings.report[label] }
            return (language, words)
        })
}

import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReplica
import PlanSyncTranslation

struct Translations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See how far the translations have come, and check their quality.",
        subcommands: [Status.self, Check.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Coverage per language and plan: translated, approved, draft, stale, missing.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "Only this language (ar, fr or es).") var lang: String?
        @Option(help: "Only this plan (or material), e.g. iasc-protection-policy.") var plan: String?
        @OptionGroup var output: OutputOptions

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let replica = try replica.open()
            // With a plan, only its records are read (an id range), not every record of the replica.
            let records =
                if let plan { try await replica.records(prefix: plan) } else { try await replica.records() }
            let coverage = Coverage.of(records, language: lang, schema: replica.schema)
            if output.json { return try printJSON(coverage) }
            print("lang  plan                          units  translated  approved  draft  stale  missing")
            for row in coverage {
                let percent = row.units == 0 ? 100 : row.translated * 100 / row.units
                print(
                    row.language.padding(6) + row.plan.padding(30) + "\(row.units)".padding(7)
                        + "\(row.translated) (\(percent)%)".padding(12) + "\(row.approved)".padding(10)
                        + "\(row.draft)".padding(7) + "\(row.stale)".padding(7) + "\(row.missing)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quality checks of every translation into a language; each finding names the record, field and check.",
            discussion: "Exits 0 whether or not there are findings; use --json to process them.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "ar, fr or es.") var lang: String
        @OptionGroup var output: OutputOptions

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let replica = try replica.open()
            let findings = QualityChecker.findings(in: try await replica.records(), language: lang, schema: replica.schema)
            if output.json { return try printJSON(findings) }
            for finding in findings {
                print("\(finding.record) \(finding.field) [\(finding.check.rawValue)] \(finding.message)")
            }
            print("\(findings.count) finding(s) in the \(lang) translations")
        }
    }
}

struct Xliff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xliff",
        abstract: "Exchange translations with CAT tools (OmegaT, Trados, memoQ, Phrase) as XLIFF 1.2.",
        subcommands: [Export.self, Import.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every translatable field into one XLIFF 1.2 file for a language.",
            discussion: """
                Untranslated units carry a copy of the English with state="needs-translation"; stale ones keep \
                their text with state="needs-review-translation"; approved ones carry approved="yes".
                """)

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "ar, fr or es.") var lang: String
        @Option(help: "The XLIFF file to write.") var output: String
        @Option(help: "Only this plan's records (a plan id, e.g. iasc-protection-policy).") var plan: String?

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let replica = try replica.open()
            let records = try await replica.records()
            if let plan, !records.contains(where: { $0.id == plan }) {
                throw ValidationError("no plan '\(plan)' in this replica")
            }
            let document = XliffDocument.export(records, language: lang, plan: plan, schema: replica.schema)
            try writeText(document.xml, to: output)
            let units = document.files.reduce(0) { $0 + $1.units.count }
            print("wrote \(units) unit(s) in \(document.files.count) plan(s) to \(output)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a translated XLIFF 1.2 file in, as ordinary offline edits (all or nothing).",
            discussion: """
                Units are matched by id. Untouched units are not edits; a target made from English that has \
                since changed comes in stale. A malformed or foreign file is refused and nothing is imported.
                """)

        @Argument(help: "The XLIFF file.") var file: String
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var bulk: BulkOptions

        func run() async throws {
            let data = try readData(file)
            let replica = try replica.open()
            let records = Dictionary(uniqueKeysWithValues: try await replica.records().map { ($0.id, $0) })
            let plan: XliffImport
            do {
                let document = try XliffDocument.parse(data)
                plan = try XliffImport.plan(document, records: records, schema: replica.schema)
                let units = document.files.flatMap(\.units).map { ($0.source, $0.target ?? "") }
                try bulk.check(units, language: plan.language)
                for change in plan.changes {
                    let collection = records[change.record]?.collection ?? ""
                    try MaterialText.check(change.edit, record: change.record, collection: collection)
                }
            } catch {
                throw ValidationError("\(file): \(error); nothing was imported")
            }
            let edits = plan.changes.map { ($0.record, $0.edit) }
            guard try await bulk.proceed(edits, in: replica, what: "\(plan.language) translation(s)") else { return }
            try await replica.edit(edits)
            let stale = plan.changes.filter(\.stale).count
            print(
                "imported \(plan.changes.count) \(plan.language) translation(s) from \(file) (\(stale) stale, "
                    + "\(plan.unchanged) unit(s) unchanged); queued for the next sync")
        }
    }
}

func validateLanguage(_ language: String?) throws {
    if let language, !Schema.languages.contains(language) {
        throw ValidationError("--lang must be one of \(Schema.languages.joined(separator: ", ")), not '\(language)'")
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

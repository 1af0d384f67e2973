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
            // Summed from the tallies kept beside each record (with a plan, only its id range): no record's
            // JSON is decoded.
            let coverage = Coverage.summing(try await replica.translationTallies(prefix: plan), language: lang)
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
            abstract:
                "Quality checks of every translation into a language; each finding names the record, field and check.",
            discussion: "Exits 0 whether or not there are findings; use --json to process them.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "ar, fr or es.") var lang: String
        @OptionGroup var output: OutputOptions

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let replica = try replica.open()
            let findings = QualityChecker.findings(
                in: try await replica.records(), language: lang, schema: replica.schema)
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
            if let plan, try await replica.record(plan) == nil {
                throw ValidationError("no plan '\(plan)' in this replica")
            }
            // Written to the file as it is made, one record decoded at a time (with a plan, only its records
            // are read), and put in place only once it is whole.
            let file = try ReplacementFile(replacing: output)
            let (language, schema) = (self.lang, replica.schema)
            let written: XliffWriter
            do {
                written = try await replica.scan(
                    prefix: plan, into: XliffWriter(),
                    transform: { record in
                        let units = XliffDocument.exportedUnits(of: record, language: language, schema: schema)
                        return (plan: RecordID.plan(of: record.id), xml: XliffWriter.xml(of: units), units: units.count)
                    },
                    fold: { xliff, part in
                        xliff.append(xml: part.xml, units: part.units, plan: part.plan, targetLanguage: language)
                        if xliff.pending >= 1 << 16 { try file.write(xliff.take()) }
                    })
                var xliff = written
                try file.write(xliff.finish())
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
            print("wrote \(written.units) unit(s) in \(written.files) plan(s) to \(output)")
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

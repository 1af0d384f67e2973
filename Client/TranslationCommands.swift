import ArgumentParser
import Foundation
import PlanSyncContent
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReplica
import PlanSyncTranslation

struct Translations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See how far the translations have come, and check their quality.",
        subcommands: [Status.self, Check.self, Tmx.self])

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
        @Option(
            help: ArgumentHelp(
                "A glossary to check the terms of (tab-separated: English, translation, note; a header row first).",
                discussion: "Without it, the glossary the product ships for the language."))
        var glossary: String?
        @OptionGroup var output: OutputOptions

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let replica = try replica.open()
            let findings = QualityChecker.findings(
                in: try await replica.records(), language: lang, schema: replica.schema,
                glossary: try loadGlossary(glossary, language: lang))
            if output.json { return try printJSON(findings) }
            for finding in findings {
                print("\(finding.record) \(finding.field) [\(finding.check.rawValue)] \(finding.message)")
            }
            print("\(findings.count) finding(s) in the \(lang) translations")
        }
    }
}

extension Translations {
    struct Tmx: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the translated and approved units of a language as a TMX 1.4b translation memory.",
            discussion: """
                OmegaT, Trados and memoQ load it as a memory (in OmegaT, put it in the project's tm/ folder, or \
                tm/auto/ to fill matching segments). Stale translations, drafts and untranslated units are left \
                out: the memory holds only pairs a translator stands by.
                """)

        @OptionGroup var options: ExportOptions

        func run() async throws {
            let replica = try options.replica.open()
            let (language, schema, output) = (options.lang, replica.schema, options.output)
            let written = try await export(
                replica, plan: options.plan, to: output,
                into: TmxWriter(language: language, tool: ("PlanSync", PlanSyncVersion.current)),
                transform: { record in TmxWriter.entries(of: record, language: language, schema: schema) },
                add: { tmx, entries in tmx.append(entries) })
            print("wrote \(written.units) translation unit(s) into \(language) to \(output)")
        }
    }
}

/// What an export of one language's translations is told: the replica, the language, the file, the plan.
struct ExportOptions: ParsableArguments {
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "ar, fr or es.") var lang: String
    @Option(help: "The file to write.") var output: String
    @Option(help: "Only this plan's records (a plan id, e.g. iasc-protection-policy).") var plan: String?

    func validate() throws { try validateLanguage(lang) }
}

/// A document written record by record (`XliffWriter`, `TmxWriter`): its text taken in chunks, then its end.
protocol StreamedDocument: Sendable {
    var pending: Int { get }
    mutating func take() -> String
    mutating func finish() -> String
}

extension XliffWriter: StreamedDocument {}
extension TmxWriter: StreamedDocument {}

/// Writes `output` from the records of `replica` (with `plan`, only that plan's are read), each made into a part
/// on several threads and added to `document` in id order. Written to the file as it is made, one record decoded
/// at a time, and put in place only once it is whole.
func export<Document: StreamedDocument, Part: Sendable>(
    _ replica: Replica, plan: String?, to output: String, into document: Document,
    transform: @escaping @Sendable (RecordState) throws -> Part,
    add: @escaping @Sendable (inout Document, Part) -> Void
) async throws -> Document {
    if let plan, try await replica.record(plan) == nil {
        throw ValidationError("no plan '\(plan)' in this replica")
    }
    let file = try ReplacementFile(replacing: output)
    do {
        var written = try await replica.scan(
            prefix: plan, into: document, transform: transform,
            fold: { document, part in
                add(&document, part)
                if document.pending >= 1 << 16 { try file.write(document.take()) }
            })
        try file.write(written.finish())
        try file.commit()
        return written
    } catch {
        file.discard()
        throw error
    }
}

/// The glossary at `path`, or the one the product ships for `language`.
func loadGlossary(_ path: String?, language: String) throws -> Glossary? {
    guard let path else { return try BundledGlossaries.glossary(language: language) }
    let text = try readText(path, notUTF8: "save the glossary as UTF-8 tab-separated text")
    do {
        return try Glossary(tsv: text, language: language)
    } catch {
        throw Failure(ExitStatus.dataRefused, "\(path): \(error)")
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

        @OptionGroup var options: ExportOptions

        func run() async throws {
            let replica = try options.replica.open()
            let (language, schema, output) = (options.lang, replica.schema, options.output)
            let written = try await export(
                replica, plan: options.plan, to: output, into: XliffWriter(),
                transform: { record in
                    let units = XliffDocument.exportedUnits(of: record, language: language, schema: schema)
                    return (plan: RecordID.plan(of: record.id), xml: XliffWriter.xml(of: units), units: units.count)
                },
                add: { xliff, part in
                    xliff.append(xml: part.xml, units: part.units, plan: part.plan, targetLanguage: language)
                })
            print("wrote \(written.units) unit(s) in \(written.files) plan(s) to \(output)")
            // The agreed terms go beside it, as OmegaT reads a glossary (its project's glossary/ folder).
            if let glossary = try BundledGlossaries.glossary(language: language) {
                let path = Self.glossaryPath(beside: output)
                try writeText(glossary.omegaT, to: path)
                print("wrote \(glossary.entries.count) glossary term(s) to \(path)")
            }
        }

        /// `NAME.glossary.txt` beside `NAME.xlf` (or beside any other name).
        static func glossaryPath(beside output: String) -> String {
            let url = URL(fileURLWithPath: output)
            let stem = url.pathExtension.isEmpty ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
            let folder = (output as NSString).deletingLastPathComponent
            return (folder.isEmpty ? "" : folder + "/") + stem + ".glossary.txt"
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

import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReplica
import PlanSyncReports

struct MaterialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "material",
        abstract: "Supporting materials (FAQs, key messages, briefing notes): Markdown stored segment by segment.",
        discussion: """
            Each heading, paragraph, list item and table cell is a segment with its own history, so edits and \
            translations of different segments never conflict, and an English edit stales only that segment's \
            translations. Translate segments with 'plansync xliff export|import' (one unit per segment) or \
            'plansync material translate'.
            """,
        subcommands: [Add.self, Update.self, Show.self, Export.self, List.self, Translate.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a material from a Markdown file (offline; queued for the next sync).")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The Markdown document.") var file: String
        @Option(help: "The material's title.") var title: String
        @Option(help: "faq, key-messages, briefing, presentation-outline or guidance.") var kind: String
        @Option(help: "A plan activity it supports (repeatable), e.g. iasc-protection-policy/A.1.") var activity: [String] = []
        @Option(help: "Who it is written for.") var audience = ""
        @Option(help: "Its id (default: made from the title, with a random suffix).") var id: String?

        func run() async throws {
            let body = try readMarkdown(file)
            let replica = try replica.open()
            for activity in activity {
                guard let record = try await replica.record(activity), ["activity", "related"].contains(record.collection)
                else { throw ValidationError("--activity \(activity): no such plan activity in this replica") }
            }
            let id = id ?? Self.id(from: title)
            let records: [NewRecord]
            do {
                records = try MaterialWrites.add(
                    id: id, title: title, kind: kind, audience: audience, activities: activity, body: body,
                    segmentKey: { _ in randomKey() })
            } catch {
                throw ValidationError("\(error); nothing was changed")
            }
            try await replica.create(records)
            print("added material \(id) (\(records.count - 1) segment(s)); queued for the next sync")
        }

        /// `protection-faq-3fa9`: the title's ASCII letters and digits, and a random suffix so two offices adding
        /// a material of one title offline make two materials.
        static func id(from title: String) -> String {
            var slug = ""
            for scalar in title.lowercased().unicodeScalars {
                if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                    slug.unicodeScalars.append(scalar)
                } else if !slug.isEmpty, slug.last != "-" {
                    slug += "-"
                }
            }
            slug = String(slug.prefix(40)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
            return (slug.isEmpty ? "material" : slug) + "-" + String(randomKey().prefix(4))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a material to a new version of its Markdown (offline; queued for the next sync).",
            discussion: """
                The new version is aligned with the stored segments: unchanged ones keep their translations, an \
                edited one keeps its id and its translations go stale, new ones are added and removed ones deleted.
                """)

        @Argument(help: "The material's id.") var id: String
        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The new version of the Markdown document.") var file: String
        @Flag(help: "Print what would change, and change nothing.") var dryRun = false

        func run() async throws {
            let body = try readMarkdown(file)
            let replica = try replica.open()
            let material = try await loadMaterial(id, from: replica)
            let update: (create: [NewRecord], edits: [(id: String, edit: Edit)], alignment: SegmentAlignment)
            do {
                update = try MaterialWrites.update(material, to: body, segmentKey: randomKey)
            } catch {
                throw ValidationError("\(error); nothing was changed")
            }
            if dryRun {
                try await replica.trial(creating: update.create, editing: update.edits)
            } else {
                try await replica.write(creating: update.create, editing: update.edits)
            }
            var kept = 0
            var edited = 0
            var added = 0
            for step in update.alignment.steps {
                switch step {
                case .keep: kept += 1
                case .edit: edited += 1
                case .insert: added += 1
                }
            }
            let removed = update.alignment.removed.count
            if update.create.isEmpty && update.edits.isEmpty { return print("\(id) is unchanged") }
            let counts = "\(kept) unchanged, \(edited) edited, \(added) new, \(removed) removed"
            if dryRun { return print("would update \(id): \(counts); nothing was changed (--dry-run)") }
            print(
                "updated \(id): \(kept) unchanged, \(edited) edited (their translations are now stale), "
                    + "\(added) new, \(removed) removed; queued for the next sync")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a material as Markdown, in English or a translation.",
            discussion: """
                With --lang, a segment without a translation is shown in English after a marker, and a stale \
                translation after another; a legend under the title explains them.
                """)

        @Argument(help: "The material's id.") var id: String
        @OptionGroup var replica: ReplicaOptions
        @Option(help: "ar, fr or es (default: English).") var lang: String?
        @OptionGroup var output: OutputOptions

        func validate() throws { try validateMaterialLanguage(lang) }

        func run() async throws {
            let material = try await loadMaterial(id, from: try replica.open())
            if output.json { return try printJSON(MaterialJSON(material, language: lang)) }
            print(material.markdown(in: lang), terminator: "")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a material in a language as Markdown or as a self-contained HTML page.",
            discussion: "HTML for Arabic is right-to-left. The file is replaced atomically.")

        @Argument(help: "The material's id.") var id: String
        @OptionGroup var replica: ReplicaOptions
        @Option(help: "en, ar, fr or es.") var lang: String
        @Option(help: "md or html.") var format: String
        @Option(help: "The file to write.") var output: String

        func validate() throws {
            try validateMaterialLanguage(lang)
            guard ["md", "html"].contains(format) else { throw ValidationError("--format must be md or html, not '\(format)'") }
        }

        func run() async throws {
            let material = try await loadMaterial(id, from: try replica.open())
            let text = format == "html" ? MaterialHTML.render(material, language: lang) : material.markdown(in: lang)
            try writeText(text, to: output)
            let body = material.shown(in: lang).body
            print(
                "wrote \(id) in \(lang) to \(output): \(body.count) segment(s), "
                    + "\(body.filter(\.fallback).count) in English, \(body.filter(\.stale).count) stale")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The materials in this replica, with each language's translated, stale and missing segments.")

        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let materials = Material.all(in: try await replica.open().records())
            if output.json { return try printJSON(materials.map { MaterialJSON($0, language: nil) }) }
            for material in materials {
                let coverage = Schema.languages.map { language in
                    let (translated, stale, _) = material.coverage(in: language)
                    return "\(language) \(translated)/\(material.segments.count)" + (stale > 0 ? " (\(stale) stale)" : "")
                }
                print("\(material.id)  [\(material.kind)]  \(material.title)")
                print("  \(material.segments.count) segment(s); " + coverage.joined(separator: ", "))
            }
        }
    }

    struct Translate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a translated Markdown version of a material, segment by segment (offline).",
            discussion: """
                The file must have the material's segments in order, each of the same kind (translate every \
                heading, paragraph, list item and table cell in place). Only changed segments become edits.
                """)

        @Argument(help: "The material's id.") var id: String
        @OptionGroup var replica: ReplicaOptions
        @Option(help: "ar, fr or es.") var lang: String
        @Option(help: "The translated Markdown document.") var file: String
        @Option(help: "draft, translated or approved.") var status: TranslationStatus = .translated
        @OptionGroup var bulk: BulkOptions

        func validate() throws { try validateLanguage(lang) }

        func run() async throws {
            let body = try readMarkdown(file)
            let replica = try replica.open()
            let material = try await loadMaterial(id, from: replica)
            let edits: [(id: String, edit: Edit)]
            do {
                edits = try MaterialWrites.translate(material, language: lang, body: body, status: status)
            } catch {
                throw ValidationError("\(file): \(error); nothing was changed")
            }
            try bulk.check(zip(material.segments, body).map { ($0.text, $1.text) }, language: lang)
            guard try await bulk.proceed(edits, in: replica, what: "\(lang) translation(s)") else { return }
            try await replica.edit(edits)
            print("recorded \(edits.count) \(lang) translation(s) of \(id); queued for the next sync")
        }
    }
}

/// A material as `material show --json` and `material list --json` print it.
struct MaterialJSON: Encodable {
    struct Segment: Encodable {
        var id: String
        var block: String
        var text: String
        var language: String
        var fallback: Bool
        var stale: Bool
        var conflict: Bool
    }

    var id: String
    var title: String
    var kind: String
    var audience: String
    var activities: [String]
    var language: String
    var direction: String
    var segments: [Segment]

    init(_ material: Material, language: String?) {
        let (title, body) = material.shown(in: language)
        id = material.id
        self.title = title.text
        kind = material.kind
        audience = material.audience
        activities = material.activities
        self.language = language ?? "en"
        direction = language == "ar" ? "rtl" : "ltr"
        segments = body.map {
            Segment(
                id: $0.id, block: $0.block, text: $0.text, language: $0.language, fallback: $0.fallback, stale: $0.stale,
                conflict: $0.conflict)
        }
    }
}

func validateMaterialLanguage(_ language: String?) throws {
    guard let language, language != "en" else { return }
    try validateLanguage(language)
}

/// A Markdown file's segments, or a one-line error naming the file and line.
func readMarkdown(_ path: String) throws -> [MarkdownSegment] {
    let text = try readText(path)
    do {
        return try MarkdownSegments.parse(text)
    } catch {
        throw ValidationError("\(path): \(error); nothing was changed")
    }
}

func loadMaterial(_ id: String, from replica: Replica) async throws -> Material {
    guard let material = Material(id: id, in: try await replica.records(prefix: id)) else {
        throw ValidationError("no material '\(id)' in this replica (see 'plansync material list')")
    }
    return material
}

/// A new segment's key: a fresh random id, as replicas get (64 bits, so keys made offline on many laptops
/// do not meet).
func randomKey() -> String {
    ReplicaID.random().rawValue
}

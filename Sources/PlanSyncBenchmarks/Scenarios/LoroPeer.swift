import Foundation
import PlanSyncCore

/// The merge workload run through Loro by `python3`, from a script written into the run's folder.
enum LoroPeer {
    struct Result: Decodable {
        var version: String?
        /// Best time to import every document's update bytes; nil when Loro is not installed.
        var seconds: Double?
        var bytesPerDocument: Double?
        var unavailable: String?
    }

    static func run(_ workload: MergeWorkload, in workspace: Workspace) async throws -> Result {
        let script = workspace.file("loro_merge.py")
        let input = workspace.file("merge_workload.json")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        try WireJSON.encode(workload).write(to: URL(fileURLWithPath: input))
        let child = try await ChildProcess.run(
            "/usr/bin/env", ["python3", script, input], timeout: .seconds(900))
        guard child.succeeded, let result = try? JSONDecoder().decode(Result.self, from: child.stdout) else {
            let why = child.status == 127 ? "python3 not found" : "python3 failed: \(child.stderr.suffix(300))"
            return Result(unavailable: "unavailable (\(why))")
        }
        return result
    }

    /// Same documents, same updates, same values as `MergeWorkload`; the timed part is each document's
    /// `import_` of the other side's update bytes (exported beforehand), best of the repetitions after one
    /// uncounted warm-up pass.
    static let script = """
        import json, sys, time
        try:
            from loro import LoroDoc, ExportMode
        except ImportError:
            print(json.dumps({"unavailable": "unavailable (pip install loro)"}))
            sys.exit(0)
        try:
            from importlib.metadata import version
            loro_version = version("loro")
        except Exception:
            loro_version = None

        with open(sys.argv[1]) as f:
            workload = json.load(f)
        fields, size, repetitions = workload["fields"], workload["valueBytes"], workload["repetitions"]

        def value(tag, document, update):
            unit = f"{tag}-{document}-{update}-"
            return (unit * (size // len(unit) + 1))[:size]

        def side(snapshot, peer, tag, document, updates):
            doc = LoroDoc()
            doc.import_(snapshot)
            doc.peer_id = peer
            before = doc.oplog_vv
            fields_map = doc.get_map("fields")
            for update, field in enumerate(updates):
                fields_map.insert(f"f{field}", value(tag, document, update))
                doc.commit()
            return doc, before

        prepared = []
        for index, updates in enumerate(workload["documents"]):
            origin = LoroDoc()
            origin.peer_id = 1
            origin_map = origin.get_map("fields")
            for field in range(fields):
                origin_map.insert(f"f{field}", value("base", index, field))
            origin.commit()
            snapshot = origin.export(ExportMode.Snapshot())
            b, before = side(snapshot, 3, "b", index, updates["b"])
            prepared.append((snapshot, updates["a"], b.export(ExportMode.Updates(before))))

        best = None
        for repetition in range(repetitions + 1):
            targets = [side(snapshot, 2, "a", index, a)[0] for index, (snapshot, a, _) in enumerate(prepared)]
            start = time.perf_counter()
            for target, (_, _, update) in zip(targets, prepared):
                target.import_(update)
            elapsed = time.perf_counter() - start
            if repetition > 0:
                best = elapsed if best is None else min(best, elapsed)

        print(json.dumps({
            "version": loro_version,
            "seconds": best,
            "bytesPerDocument": sum(len(update) for _, _, update in prepared) / max(1, len(prepared)),
        }))
        """
}

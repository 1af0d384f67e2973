import Foundation
import PlanSyncTestSupport
import Testing

/// The OpenAPI 3.1 description, docs/openapi.json: it is what the server serves, it validates, and a fuzzer
/// driven by it against a live server with an admin token finds no 5xx and no answer that breaks it.
@Suite("OpenAPI", .serialized)
struct OpenAPITests {
    static let description = ReadmeTests.repository.appendingPathComponent("docs/openapi.json").path

    @Test func theServedDescriptionIsTheOneInDocs() async throws {
        let cluster = try Cluster()
        let (status, body) = try await RawHTTP(base: cluster.server.url).send(.GET, "/openapi.json", token: nil)
        #expect(status == 200)
        #expect(body == (try String(contentsOfFile: Self.description, encoding: .utf8)))
    }

    @Test func theDescriptionValidates() throws {
        let result = try runTool("python3", ["-m", "openapi_spec_validator", Self.description])
        #expect(result.status == 0, "\(result)")
    }

    /// Every operation, with examples, boundary values and random data; the checks that apply to an API whose
    /// rules (a record's causal metadata, its schema) are more than a JSON schema can say: not
    /// `positive_data_acceptance`, since a push that fits the description is still refused when it is not a
    /// record the server can believe.
    /// HTTP lets a request carry headers and query parameters the server does not know (it ignores them), so
    /// the fuzzer is told not to expect them refused (`allow-extra-parameters = false` stops it sending them as
    /// invalid data).
    @Test func aFuzzerFindsNoServerErrorAndNoAnswerOutsideTheDescription() throws {
        let cluster = try Cluster()
        let admin = try cluster.server.token(name: "fuzz", role: "admin")
        let settings = cluster.directory.file("schemathesis.toml")
        try Data("[generation]\nallow-extra-parameters = false\n".utf8).write(to: URL(fileURLWithPath: settings))
        let arguments = [
            "--config-file", settings,
            "run", cluster.server.url + "/openapi.json", "--url", cluster.server.url,
            "--header", "Authorization: Bearer \(admin)", "--checks", "all",
            "--exclude-checks", "positive_data_acceptance", "--max-examples", "25", "--workers", "2",
            "--phases", "examples,coverage,fuzzing", "--max-time", "90", "--request-timeout", "30",
            "--suppress-health-check", "all", "--seed", "1",
        ]
        var result = try runTool("schemathesis", arguments)
        // CPython 3.11.7's "AST constructor recursion depth mismatch" (python/cpython#106905) sometimes stops the
        // fuzzer's own data generation, before any request: a fault of the interpreter, not of the server, so
        // the run is made once more. A failure of the server's answers is never retried.
        if result.status != 0, "\(result.stdout)\(result.stderr)".contains("AST constructor recursion depth mismatch"),
            !result.stdout.contains("❌")
        {
            result = try runTool("schemathesis", arguments)
        }
        #expect(result.status == 0, "\(result.stdout.suffix(6000))\n\(result.stderr.suffix(2000))")
    }
}

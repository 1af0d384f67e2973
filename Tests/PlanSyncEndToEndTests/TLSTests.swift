import Foundation
import PlanSyncTestSupport
import Testing

/// A certificate authority and a server certificate for 127.0.0.1 signed by it, made with openssl for one test.
struct TestCertificates {
    let authority: String
    let certificate: String
    let key: String

    init(in directory: TemporaryDirectory) throws {
        authority = directory.file("ca.pem")
        certificate = directory.file("server.pem")
        key = directory.file("server.key")
        let authorityKey = directory.file("ca.key")
        let request = directory.file("server.csr")
        let extensions = directory.file("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for arguments in [
            ["req", "-x509"] + curve + [
                "-keyout", authorityKey, "-out", authority, "-days", "2", "-subj", "/CN=PlanSync Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            ["req"] + curve + ["-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"],
            [
                "x509", "-req", "-in", request, "-CA", authority, "-CAkey", authorityKey, "-CAcreateserial",
                "-out", certificate, "-days", "2", "-extfile", extensions,
            ],
        ] {
            let result = try runTool("openssl", arguments)
            #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result)")
        }
    }
}

@Suite("TLS")
struct TLSTests {
    /// Under TLS the pages' session cookie is `Secure`: a browser never sends it over plain HTTP.
    @Test func thePagesSessionCookieIsSecureUnderTLS() throws {
        let keys = try TemporaryDirectory()
        defer { keys.remove() }
        let certificates = try TestCertificates(in: keys)
        let cluster = try Cluster(serverArguments: [
            "--tls-cert", certificates.certificate, "--tls-key", certificates.key,
        ])
        let token = try cluster.server.token(name: "coordinator", role: "admin")
        let signIn = try runTool(
            "curl",
            [
                "-s", "-i", "--cacert", certificates.authority, "--data-urlencode", "token=\(token)",
                cluster.server.url + "/signin",
            ])
        let cookie = signIn.stdout.split(separator: "\r\n").first {
            $0.lowercased().hasPrefix("set-cookie: plansync_session=")
        }
        #expect(cookie?.contains("; Secure") == true, "\(signIn)")
        #expect(cookie?.contains("HttpOnly") == true && cookie?.contains("SameSite=Strict") == true)
    }

    /// The walkthrough's essence over https with the deployment's own authority: two replicas, an offline
    /// conflict, its resolution; then a replica that does not trust the authority is refused in one line.
    @Test func walkthroughOverTLSWithOwnAuthority() throws {
        let keys = try TemporaryDirectory()
        defer { keys.remove() }
        let certificates = try TestCertificates(in: keys)
        let cluster = try Cluster(serverArguments: [
            "--tls-cert", certificates.certificate, "--tls-key", certificates.key,
        ])
        #expect(cluster.server.url.hasPrefix("https://127.0.0.1:"))
        let trust = ["--ca-file", certificates.authority]
        let alice = try cluster.replica("alice", initArguments: trust)
        let bruno = try cluster.replica("bruno", initArguments: trust)
        // The authority's PEM is kept in the replica: the file is not needed from here on.
        try FileManager.default.removeItem(atPath: certificates.authority)
        try cluster.sync(alice)
        try cluster.sync(bruno)
        let record = "iasc-protection-policy/A.1/1"
        try expectSuccess(cluster.plansync(alice, "set", record, "comment", "ERC letter sent on 3 October"))
        try expectSuccess(cluster.plansync(bruno, "set", record, "comment", "ERC letter delayed to November"))
        try cluster.sync(alice)
        let second = try cluster.plansync(bruno, "sync")
        try expectSuccess(second)
        #expect(second.stdout.contains("1 conflict(s)"), "\(second)")
        try cluster.sync(alice)
        let conflicts = try cluster.plansync(alice, "conflicts")
        #expect(conflicts.stdout.contains("ERC letter sent on 3 October"), "\(conflicts)")
        #expect(conflicts.stdout.contains("ERC letter delayed to November"), "\(conflicts)")
        try expectSuccess(cluster.plansync(alice, "resolve", record, "comment", "Sent in November"))
        try cluster.sync(alice)
        try cluster.sync(bruno)
        #expect(try cluster.dump(alice) == cluster.dump(bruno))
        #expect(try cluster.plansync(bruno, "show", record).stdout.contains("Sent in November"))

        // No --ca-file: the system's authorities do not know this one.
        let token = try cluster.server.token(name: "carol", role: "viewer")
        let carol = cluster.directory.file("carol.sqlite")
        let refused = try run(
            "plansync", ["init", "--replica", carol, "--server", cluster.server.url, "--token", token])
        #expect(refused.status == 69, "\(refused)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(refused)")
        #expect(refused.stderr.contains("TLS certificate could not be verified"), "\(refused)")
        #expect(refused.stderr.contains("--ca-file"), "\(refused)")
        for library in ["NIOSSL", "BoringSSL", "handshakeFailed", "OPENSSL", "error:"] {
            #expect(!refused.stderr.contains(library), "\(refused)")
        }
        #expect(!FileManager.default.fileExists(atPath: carol), "a refused init leaves no replica")
    }

    /// A --ca-file that holds no certificate, and --tls-cert without --tls-key, are refused in one line.
    @Test func badTrustFilesAreRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let bogus = folder.file("bogus.pem")
        try "not a certificate\n".write(toFile: bogus, atomically: true, encoding: .utf8)
        let refused = try run(
            "plansync",
            [
                "init", "--replica", folder.file("r.sqlite"), "--server", "https://127.0.0.1:9", "--token", "x",
                "--ca-file", bogus,
            ])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr == "plansync: --ca-file \(bogus): holds no PEM certificate\n", "\(refused)")
        let server = try run(
            "plansync-server", ["serve", "--data", folder.file("data"), "--port", "0", "--tls-cert", bogus])
        #expect(server.status == 64, "\(server)")
        #expect(server.stderr.contains("--tls-cert and --tls-key go together"), "\(server)")
        let badKey = try run(
            "plansync-server",
            ["serve", "--data", folder.file("data"), "--port", "0", "--tls-cert", bogus, "--tls-key", bogus])
        #expect(badKey.status != 0, "\(badKey)")
        #expect(badKey.stderr.contains("--tls-cert \(bogus)"), "\(badKey)")
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL
import PlanSyncReplica
import Synchronization

/// Which certificates an https server may present: the system's authorities, and a deployment's own
/// certificate authority when `plansync init --ca-file` gave one (kept as PEM in the replica, so the replica
/// keeps working wherever the file goes).
extension HTTPTransport {
    /// A transport for `baseURL` that also trusts the certificate authority `caPEM` (nil: the system's only).
    public init(baseURL: String, token: String, trusting caPEM: String?) throws {
        guard let caPEM else {
            self.init(baseURL: baseURL, token: token)
            return
        }
        self.init(baseURL: baseURL, token: token, client: try Self.client(trusting: caPEM))
    }

    /// The transport a replica syncs through: its server's address, token and certificate authority, naming its
    /// server on every request. `plansync sync`, the pages' "Sync now" and the benchmark's replicas all sync
    /// through this one, so what they send is the same.
    public init(for identity: ReplicaIdentity) throws {
        try self.init(baseURL: identity.serverURL, token: identity.token, trusting: identity.serverCA)
        server = identity.serverID
    }

    /// The certificates in `pem`, or an error saying the text holds none.
    public static func certificates(inPEM pem: String) throws -> [NIOSSLCertificate] {
        let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        guard let certificates, !certificates.isEmpty else { throw ServerTrustError.noCertificate }
        return certificates
    }

    /// One client per authority for the process, never shut down, like `HTTPTransport.client`.
    static func client(trusting caPEM: String) throws -> HTTPClient {
        let certificates = try certificates(inPEM: caPEM)
        return trustingClients.withLock { clients in
            if let client = clients[caPEM] { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.certificates(certificates)]
            let client = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: .init(
                    tlsConfiguration: tls, timeout: .init(connect: .seconds(8), read: readTimeout.amount),
                    decompression: .enabled(limit: .ratio(200))))
            clients[caPEM] = client
            return client
        }
    }

    /// Why the server's certificate was refused, when that is what `error` says; nil for any other failure.
    static func certificateFailure(_ error: any Error) -> String? {
        guard error is NIOSSLError || error is BoringSSLError || "\(error)".contains("handshakeFailed") else {
            return nil
        }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("unableToValidateCertificate") {
            return "could not be verified (not signed by an authority this replica trusts, expired, or not made "
                + "for this host name); give the deployment's authority with 'plansync init --ca-file PEM'"
        }
        return "handshake failed (the server may not speak https on this port)"
    }
}

/// Clients that trust a deployment's authority, by its PEM.
private let trustingClients = Mutex<[String: HTTPClient]>([:])

/// A PEM file that holds no certificate.
public enum ServerTrustError: Error, CustomStringConvertible {
    case noCertificate
    public var description: String { "holds no PEM certificate" }
}

/// How long a client waits when the server answers `429 Too Many Requests` with `Retry-After`, and how often:
/// a rate-limited request changed nothing on the server, so sending it again is safe.
public struct RetryAfterPolicy: Sendable {
    /// Waits in a row before giving up.
    public var attempts = 3
    /// A longer `Retry-After` is not waited for: the sync stops and says when to try again.
    public var longest: Duration = .seconds(30)

    public init() {}

    /// How long to wait after `waits` waits already, or nil to give up.
    func wait(_ headers: HTTPHeaders, after waits: Int) -> Duration? {
        guard waits < attempts, let text = headers.first(name: "Retry-After"), let seconds = Int(text), seconds >= 0
        else { return nil }
        let wait = Duration.seconds(seconds)
        return wait <= longest ? wait : nil
    }
}

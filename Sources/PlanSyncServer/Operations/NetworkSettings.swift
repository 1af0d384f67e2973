import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// How the server meets the network: TLS, the bounds on connections, and whether a reverse proxy is trusted.
public struct NetworkSettings: Sendable {
    /// The certificate chain and private key (PEM files) to serve HTTPS with; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// How long a connection may take to send a request's head, from when it opens or its last response ended.
    public var headerTimeout: Duration = .seconds(10)
    /// The slowest a request body may arrive, in bytes a second over each 10 seconds; 0 lets any rate through.
    public var minimumBodyRate = 100
    /// The most connections open at once; past it, new ones wait in the listen backlog until one closes.
    public var maxConnections = 1_000
    /// Whether the last `X-Forwarded-For` entry names the client (set it only behind a proxy that sets it).
    public var trustProxy = false

    public init() {}

    public var scheme: String { tls == nil ? "http" : "https" }
}

/// A PEM certificate chain (the server's certificate first) and its PEM private key.
public struct TLSFiles: Sendable {
    public var certificate: String
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }

    /// The server's TLS configuration; a file that cannot be read or holds no PEM is named in the error.
    public func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TLSFileError("--tls-cert \(certificate): cannot read a PEM certificate from it")
        }
        guard !chain.isEmpty else { throw TLSFileError("--tls-cert \(certificate): holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: self.key, format: .pem)
        } catch {
            throw TLSFileError("--tls-key \(self.key): cannot read a PEM private key from it")
        }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}

/// A TLS file the server cannot use, in one line.
public struct TLSFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension NetworkSettings {
    /// HTTP/1.1 with the header timeout on every connection, inside TLS when it is configured.
    func serverBuilder(logger: Logger) throws -> HTTPServerBuilder {
        let (timeout, rate) = (TimeAmount(headerTimeout), minimumBodyRate)
        let http = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [HeadTimeoutHandler(timeout: timeout, logger: logger)]
                    + (rate > 0 ? [SlowBodyHandler(minimumRate: rate, logger: logger)] : [])))
        guard let tls else { return http }
        return try .tls(http, tlsConfiguration: try tls.configuration())
    }
}

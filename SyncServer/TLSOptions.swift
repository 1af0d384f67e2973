import ArgumentParser
import PlanSyncServer

/// HTTPS on the server's own port, and trust in a reverse proxy in front of it.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM certificate chain (the server's certificate first): serve HTTPS with it.")
    var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Flag(help: "Trust the last X-Forwarded-For entry as the client's address (only behind a proxy that sets it).")
    var trustProxy = false

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
        }
    }

    /// Sets the server's TLS files and proxy trust; checks the files can be used before the server starts.
    func apply(to network: inout NetworkSettings) throws {
        network.trustProxy = trustProxy
        guard let tlsCert, let tlsKey else { return }
        let files = TLSFiles(certificate: tlsCert, key: tlsKey)
        do {
            _ = try files.configuration()
        } catch {
            throw ValidationError("\(error)")
        }
        network.tls = files
    }
}

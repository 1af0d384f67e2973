import Foundation
import Hummingbird
import Logging
import PlanSyncCore

/// Pushes that travel by file: a replica registers its signing key (`POST /v1/key`), and a replica that carries
/// another's signed push from a bundle relays it (`POST /v1/relay`). docs/PROTOCOL.md, "Bundles".
extension SyncServer {
    func addRelayRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/key") { request, _ in try await registerKey(request) }
        router.post("/v1/relay") { request, _ in
            try await pushing(request) { carrier in try await relay(request, carrier: carrier) }
        }
    }

    /// Binds the replica to the token, as any request of it does, and registers its key on first use.
    func registerKey(_ request: Request) async throws -> Response {
        let principal = try await authenticate(request)
        _ = try protocolVersion(request)
        let registration: KeyRegistration = try await decodeBody(of: request)
        guard ReplicaID(validating: registration.replica.rawValue) != nil else {
            throw APIError.badRequest("replica: expected a replica id (1 to 64 letters, digits, '-', '_' or '.')")
        }
        guard let key = ReplicaKey(registration.key) else {
            throw APIError.badRequest("key: expected an Ed25519 public key, 32 bytes in base64")
        }
        try await bind(registration.replica, to: principal)
        let registered = try await store.register(key: key, for: registration.replica)
        guard registered == key else {
            throw APIError(
                .conflict, "key_mismatch",
                "replica \(registration.replica) has another signing key here; a replica's key never changes")
        }
        logger.info("replica key", metadata: ["token": "\(principal.name)", "replica": "\(registration.replica)"])
        return Self.json(#"{"registered":true}"#)
    }

    /// A push signed by another replica: believed only when the key registered for its signer verifies it, and
    /// then run exactly as the signer's own push, with the role of the token the signer is bound to. The
    /// carrier's token only lets the request in.
    func relay(_ request: Request, carrier: Principal) async throws -> Response {
        _ = try protocolVersion(request)
        let relay: RelayRequest = try await decodeBody(of: request)
        guard let section = relay.section else { throw APIError.badRequest("payload: expected base64") }
        guard let signer = try await store.signer(section.signer) else {
            throw APIError.forbidden(
                "replica \(section.signer) has no signing key with a live token on this server, so a push it signed "
                    + "cannot be believed; it must sync once itself first")
        }
        let push: PushRequest
        do {
            push = try section.verifiedPush(key: signer.key)
        } catch {
            logger.notice(
                "relay refused",
                metadata: ["token": "\(carrier.name)", "signer": "\(section.signer)", "reason": "\(error)"])
            throw APIError(.forbidden, "bad_signature", error.description)
        }
        try validate(push)
        try await checkHistory(request)
        let response = try await execute(push, as: signer.principal)
        metrics.push(received: response.received, changed: response.changed)
        logger.info(
            "relay", metadata: ["token": "\(carrier.name)", "signer": "\(section.signer)", "by": "\(signer.principal.name)"])
        return counted(try Self.json(RecordJSON.encode(response, page: nil), compressingFor: request))
    }

    /// A JSON request body of type `T`, or a one-line 400 naming what was wrong.
    func decodeBody<T: Decodable>(of request: Request) async throws -> T {
        let body = try await body(of: request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError.badRequest("malformed request: expected a \(T.self) in JSON")
        }
    }
}

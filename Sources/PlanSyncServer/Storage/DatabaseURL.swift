import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// A PostgreSQL database named by a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// The URL as given, for the tools that take one (`pg_dump`, `psql`).
    public var text: String

    /// Parses `text`, or throws a one-line error naming what is wrong.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme)
        else {
            throw StoreError.database("\(text): expected a URL postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.database("\(text): the URL names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.database("\(text): the URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.database("\(text): the URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.password
        self.database = database
        self.text = text
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// The same server and user, another database.
    public func with(database: String) throws -> DatabaseURL {
        let credentials = user + (password.map { ":" + $0 } ?? "")
        return try DatabaseURL("postgres://\(credentials)@\(host):\(port)/\(database)")
    }

    var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }
}

extension StoreError {
    /// What a failed transaction threw: a database error as a one-line `StoreError`, anything else (a refusal of
    /// the push plan) as it was thrown.
    static func unwrapping(_ error: any Error, at url: DatabaseURL) -> any Error {
        var error = error
        if let failed = error as? PostgresTransactionError, let cause = failed.cause { error = cause }
        return error is PSQLError || error is PostgresTransactionError ? describing(error, at: url) : error
    }

    /// A database error as one line: what the server said, or why it could not be reached.
    static func describing(_ error: any Error, at url: DatabaseURL) -> StoreError {
        if let error = error as? StoreError { return error }
        if let failed = error as? PostgresTransactionError {
            return failed.cause.map { describing($0, at: url) } ?? .database("\(url): the transaction failed")
        }
        guard let error = error as? PSQLError else { return .database("\(url): \(error)") }
        if let message = error.serverInfo?[.message] {
            return .database("\(url): \(message)")
        }
        if let underlying = error.underlying {
            return .database("cannot reach the database \(url): \(reason(underlying))")
        }
        return .database("cannot reach the database \(url): \(error.code)")
    }
}

/// Why a connection failed, as the system says it ("Connection refused"), or the error itself.
private func reason(_ error: any Error) -> String {
    var error = error
    if let failed = error as? NIOConnectionError {
        guard let first = failed.connectionErrors.first?.error ?? failed.dnsAError else {
            return "\(failed.host) has no address"
        }
        error = first
    }
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
    return "\(error)"
}

extension PostgresTransactionError {
    /// What made the transaction fail: its body, its `BEGIN` or its `COMMIT`.
    var cause: (any Error)? { closureError ?? beginError ?? commitError }
}

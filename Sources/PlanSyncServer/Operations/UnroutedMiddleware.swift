import Hummingbird

/// Answers a request no route answers like every other refusal, in one line of JSON: a path of the HTTP
/// interface asked with a method it does not take is `405` with `Allow` (the methods `docs/openapi.json`
/// gives it), any other path `404`.
struct UnroutedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each path of the description and its methods, upper-case.
    let methods: [String: [String]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            guard let allowed = methods[path] else {
                return try APIError(
                    .notFound, "not_found", "no endpoint at \(path) (the endpoints are described at /openapi.json)"
                ).response(from: request, context: context)
            }
            var response = try APIError(
                .methodNotAllowed, "method_not_allowed",
                "\(path) answers \(allowed.joined(separator: ", ")), not \(request.method)"
            ).response(from: request, context: context)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }
}

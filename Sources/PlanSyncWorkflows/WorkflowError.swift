/// Why a workflow did nothing, in one line a person can act on (`plansync: …` in the command line).
public struct WorkflowError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

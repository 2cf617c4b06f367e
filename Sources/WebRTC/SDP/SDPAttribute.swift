/// One `a=` line as written: `a=<name>` or `a=<name>:<value>`. Every attribute is kept in order
/// this way, the ones the parser understands and the ones it does not.
struct SDPAttribute: Hashable, Sendable {
    var name: String
    var value: String?
    /// 1-based line number in the body, for messages.
    var line: Int
}

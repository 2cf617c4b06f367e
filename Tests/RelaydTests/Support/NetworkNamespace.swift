import ProcessTestSupport
import Foundation

/// A network namespace joined to this one by a veth pair, for a peer that can vanish without a
/// FIN (the test deletes the link). Needs root and `ip netns`; `make()` returns nil, with the
/// reason, where that is refused.
final class NetworkNamespace: @unchecked Sendable {
    let name: String
    let hostLink: String
    /// This side's address (the relay is reached at it from inside the namespace).
    let hostAddress: String
    let innerAddress: String

    private init(tag: Int) {
        name = "relay-ns-\(tag)"
        hostLink = "rvh\(tag)"
        hostAddress = "10.231.\(tag % 250).1"
        innerAddress = "10.231.\(tag % 250).2"
    }

    static func make() async -> (NetworkNamespace?, String) {
        let ns = NetworkNamespace(tag: Int.random(in: 1000...9999))
        let inner = "rvn\(ns.name.suffix(4))"
        let steps: [[String]] = [
            ["netns", "add", ns.name],
            ["link", "add", ns.hostLink, "type", "veth", "peer", "name", inner],
            ["link", "set", inner, "netns", ns.name],
            ["addr", "add", "\(ns.hostAddress)/30", "dev", ns.hostLink],
            ["link", "set", ns.hostLink, "up"],
            ["netns", "exec", ns.name, "ip", "addr", "add", "\(ns.innerAddress)/30", "dev", inner],
            ["netns", "exec", ns.name, "ip", "link", "set", inner, "up"],
            ["netns", "exec", ns.name, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps {
            guard let (code, _, err) = try? await runTool("ip", step, timeout: .seconds(10)), code == 0 else {
                await ns.remove()
                return (nil, "ip \(step.joined(separator: " ")) refused")
            }
            _ = err
        }
        return (ns, "")
    }

    /// Runs `arguments` inside the namespace.
    func spawn(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess("ip", ["netns", "exec", name, try ChildProcess.resolve(executable)] + arguments)
    }

    /// Removes the link: the peer inside vanishes, no FIN, no RST.
    func cutLink() async {
        _ = try? await runTool("ip", ["link", "del", hostLink], timeout: .seconds(10))
    }

    func remove() async {
        await cutLink()
        _ = try? await runTool("ip", ["netns", "del", name], timeout: .seconds(10))
    }
}

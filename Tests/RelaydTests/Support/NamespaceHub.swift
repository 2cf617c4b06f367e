import Foundation
import ProcessTestSupport

/// Network namespaces on one bridge in this namespace, like hosts on one switch: namespace `i`
/// has `10.232.<net>.(11+i)`, this side `10.232.<net>.1` (where a test's relayd or PostgreSQL
/// listens). `cut(_:_:)` drops everything between two of them (nftables inside the first),
/// leaving both their other paths up; `unplug(_:)` makes one vanish (no FIN, no RST). Needs root
/// and `ip netns`.
final class NamespaceHub: @unchecked Sendable {
    let bridge: String
    let names: [String]
    let net: Int
    var hostAddress: String { "10.232.\(net).1" }
    func address(_ index: Int) -> String { "10.232.\(net).\(11 + index)" }

    private init(id: Int, count: Int) {
        bridge = "rhub\(id)"
        names = (0..<count).map { "rhub\(id)n\($0)" }
        net = id % 200 + 20
    }

    /// Makes `count` namespaces on a new bridge, or nil with the step refused.
    static func make(count: Int) async -> (NamespaceHub?, String) {
        await removeStale()
        let hub = NamespaceHub(id: Int(getpid()) % 10_000, count: count)
        var steps: [[String]] = [
            ["link", "add", hub.bridge, "type", "bridge"],
            ["addr", "add", "\(hub.hostAddress)/24", "dev", hub.bridge],
            ["link", "set", hub.bridge, "up"],
        ]
        for (index, name) in hub.names.enumerated() {
            let (outer, inner) = ("\(hub.bridge)v\(index)", "\(hub.bridge)i\(index)")
            steps += [
                ["netns", "add", name],
                ["link", "add", outer, "type", "veth", "peer", "name", inner],
                ["link", "set", inner, "netns", name],
                ["link", "set", outer, "master", hub.bridge],
                ["link", "set", outer, "up"],
                ["-n", name, "addr", "add", "\(hub.address(index))/24", "dev", inner],
                ["-n", name, "link", "set", inner, "up"],
                ["-n", name, "link", "set", "lo", "up"],
            ]
        }
        for step in steps {
            let (code, _, err) = (try? await runTool("ip", step, timeout: .seconds(10))) ?? (nil, "", "ip not found")
            guard code == 0 else {
                await hub.remove()
                return (nil, "`ip \(step.joined(separator: " "))` refused: \(err)")
            }
        }
        return (hub, "")
    }

    /// Makes `count` namespaces, runs `body` on them and removes them whatever it threw; a hub
    /// that cannot be made fails the test, naming the refused step.
    static func run(count: Int, _ body: (NamespaceHub) async throws -> Void) async throws {
        let (made, why) = await make(count: count)
        guard let hub = made else {
            throw TestFailure("\(count) network namespace(s) on a bridge (needs root and ip netns): \(why)")
        }
        try await running({ try await body(hub) }, thenCleaningUp: { await hub.remove() })
    }

    /// Runs `executable` inside namespace `index`, with `environment` added.
    func spawn(_ index: Int, _ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let env = environment.map { "\($0.key)=\($0.value)" }
        return try ChildProcess("ip", ["netns", "exec", names[index], "/usr/bin/env"] + env + [try ChildProcess.resolve(executable)] + arguments)
    }

    /// Drops every packet between namespaces `a` and `b` (both ways, from inside `a`).
    func cut(_ a: Int, _ b: Int) async throws {
        let peer = address(b)
        for rule in [
            ["add", "table", "inet", "partition"],
            ["add", "chain", "inet", "partition", "in", "{ type filter hook input priority 0 ; }"],
            ["add", "chain", "inet", "partition", "out", "{ type filter hook output priority 0 ; }"],
            ["add", "rule", "inet", "partition", "in", "ip", "saddr", peer, "drop"],
            ["add", "rule", "inet", "partition", "out", "ip", "daddr", peer, "drop"],
        ] {
            let (code, _, err) = try await runTool("ip", ["netns", "exec", names[a], "nft"] + rule, timeout: .seconds(10))
            guard code == 0 else { throw TestFailure("nft \(rule.joined(separator: " ")): \(err)") }
        }
    }

    /// Removes namespace `index`'s link: whatever runs inside vanishes, no FIN, no RST.
    func unplug(_ index: Int) async {
        _ = try? await runTool("ip", ["link", "del", "\(bridge)v\(index)"], timeout: .seconds(10))
    }

    /// Heals what `cut(a, _)` did.
    func heal(_ a: Int) async throws {
        let (code, _, err) = try await runTool(
            "ip", ["netns", "exec", names[a], "nft", "delete", "table", "inet", "partition"], timeout: .seconds(10))
        guard code == 0 else { throw TestFailure("nft delete table: \(err)") }
    }

    /// Removes hubs a killed test run left behind (the suites using hubs run one at a time), so
    /// their addresses cannot shadow this run's.
    static func removeStale() async {
        let (_, namespaces, _) = (try? await runTool("ip", ["netns", "list"], timeout: .seconds(10))) ?? (nil, "", "")
        for line in namespaces.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasPrefix("rhub") else { continue }
            _ = try? await runTool("ip", ["netns", "del", String(name)], timeout: .seconds(10))
        }
        let (_, bridges, _) = (try? await runTool("ip", ["-br", "link", "show", "type", "bridge"], timeout: .seconds(10))) ?? (nil, "", "")
        for line in bridges.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasPrefix("rhub") else { continue }
            _ = try? await runTool("ip", ["link", "del", String(name)], timeout: .seconds(10))
        }
    }

    func remove() async {
        for name in names { _ = try? await runTool("ip", ["netns", "del", name], timeout: .seconds(10)) }
        _ = try? await runTool("ip", ["link", "del", bridge], timeout: .seconds(10))
    }
}

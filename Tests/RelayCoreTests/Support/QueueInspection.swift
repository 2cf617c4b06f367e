import RelayCore
import RelayTestSupport

extension PlayerQueue {
    var labels: [String] { items.map(\.label) }
}

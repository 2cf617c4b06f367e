extension MediaStreamInfo {
    /// A rational number of seconds per timestamp tick (`AVRational`).
    public struct TimeBase: Sendable, Equatable {
        /// Numerator (`num`).
        public let numerator: Int
        /// Denominator (`den`).
        public let denominator: Int

        /// Creates a time base of `numerator / denominator` seconds per tick.
        public init(numerator: Int, denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
        }

        /// Converts a timestamp in these ticks to seconds; nil when the denominator is 0.
        public func seconds(_ ticks: Int64) -> Double? {
            guard denominator != 0 else { return nil }
            return Double(ticks) * Double(numerator) / Double(denominator)
        }
    }
}

/// A sender's 48-bit packet index for one SSRC (RFC 3711 3.3.1): the rollover counter counts
/// wraps of the 16-bit sequence number. A sequence number sent again (a NACK answer) or slightly
/// out of order gets the index it had, estimated as in RFC 3711 Appendix A.
struct SRTPRolloverCounter {
    private var highestSequence: UInt16?
    private var rollover: UInt32 = 0

    /// The rollover counter for `sequence`, advancing the highest index seen when it is newer.
    mutating func rolloverCounter(for sequence: UInt16) -> UInt32 {
        guard let highest = highestSequence else {
            highestSequence = sequence
            return rollover
        }
        let estimate: UInt32
        if highest < 0x8000 {
            estimate = (sequence > highest && sequence - highest > 0x8000 && rollover > 0) ? rollover - 1 : rollover
        } else {
            estimate = (highest - 0x8000 > sequence) ? rollover &+ 1 : rollover
        }
        if estimate == rollover &+ 1 || (estimate == rollover && sequence > highest) {
            rollover = estimate
            highestSequence = sequence
        }
        return estimate
    }
}

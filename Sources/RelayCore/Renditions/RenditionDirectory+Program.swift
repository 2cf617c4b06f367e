extension Rendition {
    /// What players of a class's plain name who would get the source play while the class's
    /// stage is not empty: the program at the source's size, on `live/<classId>_program`.
    public static let programName = "program"
}

extension RenditionDirectory {
    /// Puts `source`'s program on the air (its transcoder publishes `<source>_program` and the
    /// stage is not empty) or takes it off: adaptive players of the plain name follow.
    public func setProgramOnAir(_ onAir: Bool, for source: StreamKey) {
        programsOnAir.withLockedValue { set in
            if onAir { set.insert(source) } else { set.remove(source) }
        }
    }

    /// Whether players of `source`'s plain name who would get the source get its program now.
    public func isProgramOnAir(_ source: StreamKey) -> Bool {
        programsOnAir.withLockedValue { $0.contains(source) }
    }
}

extension StreamKey {
    /// Whether this stream's plain name may carry a class's program: a class's lesson, not a
    /// site's return feed.
    public var mayCarryProgram: Bool { app == "live" && returnFeed == nil }
}

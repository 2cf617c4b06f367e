import Logging

/// The process's log handler: swift-log's text lines or one JSON object per line, at one level.
enum NodeLogging {
    static func bootstrap(level name: String, format: String) {
        let level = Logger.Level(rawValue: name) ?? .info
        let json = format == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

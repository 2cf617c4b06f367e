import NIOCore
import RelayCore

extension RTMPConnectionHandler {
    func handleCommand(_ command: RTMPCommand) throws {
        switch command.name {
        case "connect":
            try connect(command)
        case "releaseStream", "FCPublish", "FCUnpublish", "FCSubscribe", "FCUnsubscribe":
            if command.name == "FCUnpublish", session.isPublishing { leaveRole(reason: "FCUnpublish") }
            if command.transactionID != 0 { sendResult(command.transactionID, [.null, .undefined]) }
            context?.flush()
        case "createStream":
            sendResult(command.transactionID, [.null, .number(Double(RTMPSegmentFramer.playStreamID))])
            context?.flush()
        case "getStreamLength":
            sendResult(command.transactionID, [.null, .number(0)])
            context?.flush()
        case "publish":
            try requestPublish(command)
        case "play":
            try requestPlay(command)
        case "deleteStream", "closeStream":
            leaveRole(reason: command.name)
        case "_checkbw":
            sendResult(command.transactionID, [.null, .undefined])
            context?.flush()
        default:
            // receiveAudio, receiveVideo, pause, _error and others need no answer here.
            logger.debug("ignoring command", metadata: ["command": "\(command.name)"])
        }
    }

    private func connect(_ command: RTMPCommand) throws {
        let object = command.object.objectValue
        let app = try session.connect(app: object?["app"]?.stringValue)
        let encoding = object?["objectEncoding"]?.numberValue ?? 0
        sendControl(.windowAcknowledgementSize, configuration.windowAcknowledgementSize)
        sendControl(.setPeerBandwidth, configuration.windowAcknowledgementSize, extra: 2)
        sendControl(.setChunkSize, UInt32(configuration.outChunkSize))
        encoder.chunkSize = configuration.outChunkSize
        let properties: AMF0Object = ["fmsVer": .string("FMS/3,5,7,7009"), "capabilities": .number(31), "mode": .number(1)]
        let info: AMF0Object = [
            "level": .string("status"), "code": .string("NetConnection.Connect.Success"),
            "description": .string("Connection succeeded."), "objectEncoding": .number(encoding),
        ]
        sendResult(command.transactionID, [.object(properties), .object(info)])
        context?.flush()
        logger.debug("connected", metadata: ["app": "\(app)"])
    }

    /// Parses the stream name argument of publish/play against the connected app.
    func streamName(_ command: RTMPCommand) throws -> RTMPStreamName {
        try session.streamName(command.streamNameArgument, command: command.name, renditions: shared.renditions.ladderNames)
    }

    /// Asks the access policy, off the event loop, and comes back on it.
    func authorize(_ action: AccessRequest.Action, _ name: RTMPStreamName) {
        guard let context else { return }
        let request = AccessRequest(
            action: action, transport: .rtmp, stream: name.stream, key: name.key, remoteAddress: remote
        )
        let policy = shared.accessPolicy
        let promise = context.eventLoop.makePromise(of: AccessDecision.self)
        promise.completeWithTask { await policy.authorize(request) }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { decision in
            bound.value.authorized(action, name, decision)
        }
    }

    private func authorized(_ action: AccessRequest.Action, _ name: RTMPStreamName, _ decision: AccessDecision) {
        switch session.authorized(action, name, decision) {
        case .startPublishing(let name, let pending, let grant):
            messageLimit?.raise()  // a player never sends more than commands: its limit stays small
            startPublishing(name, pending: pending, grant: grant)
        case .startPlaying(let name, let grant):
            startPlaying(name, grant: grant)
        case .refuse(let code, let reason, let leaving):
            let verb = action == .publish ? "publish" : "play"
            logger.notice("\(verb) refused", metadata: ["stream": "\(name.stream)", "reason": "\(reason)"])
            let description = "\(verb) refused: \(reason)"
            end(leaving, reason: description)
            writeRefusal(code: code, description: description)
        case .ignore:
            break  // the connection moved on (closed, or deleted the stream) meanwhile
        }
    }
}

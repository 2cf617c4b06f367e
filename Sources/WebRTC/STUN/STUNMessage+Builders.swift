import Crypto
public import NIOCore

extension STUNMessage {
    /// The success response an ICE-lite agent sends to a binding request: XOR-MAPPED-ADDRESS
    /// with the request's source address, MESSAGE-INTEGRITY keyed with our (local) ICE
    /// password, FINGERPRINT last (RFC 8445 section 7.3.1.4). A Unix-domain `mappedAddress`
    /// cannot be expressed and is left out.
    public static func bindingSuccessResponse(
        transactionID: STUNTransactionID,
        mappedAddress: SocketAddress,
        password: String,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(type: .bindingSuccessResponse, transactionID: transactionID, allocator: allocator)
        if let value = STUNAddressCodec.encode(mappedAddress, xorWith: transactionID) {
            writer.append(.xorMappedAddress, value: value)
        }
        writer.appendMessageIntegrity(key: SymmetricKey(data: Array(password.utf8)))
        writer.appendFingerprint()
        return writer.buffer
    }

    /// An error response: ERROR-CODE (`code` in 300...699, e.g. 400 Bad Request,
    /// 401 Unauthorized, 487 Role Conflict), MESSAGE-INTEGRITY only when `password` is given
    /// (never for a request that failed its integrity check), FINGERPRINT last.
    public static func bindingErrorResponse(
        transactionID: STUNTransactionID,
        code: Int,
        reason: String,
        password: String? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(type: .bindingErrorResponse, transactionID: transactionID, allocator: allocator)
        writer.appendErrorCode(code, reason: reason)
        if let password {
            writer.appendMessageIntegrity(key: SymmetricKey(data: Array(password.utf8)))
        }
        writer.appendFingerprint()
        return writer.buffer
    }

    /// A connectivity check as a browser (the controlling agent) sends it to an ICE-lite
    /// peer: USERNAME "<peer's ufrag>:<our ufrag>", PRIORITY, USE-CANDIDATE when nominating,
    /// ICE-CONTROLLING with the tie-breaker, MESSAGE-INTEGRITY keyed with the peer's ICE
    /// password, FINGERPRINT last (RFC 8445 section 7.2.2).
    public static func bindingRequest(
        transactionID: STUNTransactionID,
        username: String,
        password: String,
        priority: UInt32,
        useCandidate: Bool = false,
        iceControlling tieBreaker: UInt64,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: transactionID, allocator: allocator)
        writer.append(.username, value: Array(username.utf8))
        writer.append(.priority, uint32: priority)
        if useCandidate {
            writer.append(.useCandidate, value: [])
        }
        writer.append(.iceControlling, uint64: tieBreaker)
        writer.appendMessageIntegrity(key: SymmetricKey(data: Array(password.utf8)))
        writer.appendFingerprint()
        return writer.buffer
    }

    /// A consent check as the ICE-lite (controlled) side sends it to see whether a new address of
    /// the viewer wants its media (RFC 7675): USERNAME "<viewer's ufrag>:<our ufrag>", PRIORITY,
    /// ICE-CONTROLLED with a tie-breaker, MESSAGE-INTEGRITY keyed with the viewer's ICE password,
    /// FINGERPRINT last. Only the address it is sent to can answer it: it learns the transaction id.
    public static func consentCheck(
        transactionID: STUNTransactionID,
        username: String,
        password: String,
        priority: UInt32,
        iceControlled tieBreaker: UInt64,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: transactionID, allocator: allocator)
        writer.append(.username, value: Array(username.utf8))
        writer.append(.priority, uint32: priority)
        writer.append(.iceControlled, uint64: tieBreaker)
        writer.appendMessageIntegrity(key: SymmetricKey(data: Array(password.utf8)))
        writer.appendFingerprint()
        return writer.buffer
    }
}

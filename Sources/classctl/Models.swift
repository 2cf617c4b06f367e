import RelayAPIModels

/// The API's shapes, as the relay writes them (RelayAPIModels), under the names classctl uses.
typealias School = RelayAPI.School
typealias Pairing = RelayAPI.Pairing
typealias Recurrence = RelayAPI.Recurrence
typealias ClassInfo = RelayAPI.Class
typealias Occurrence = RelayAPI.Occurrence
typealias RecordingInfo = RelayAPI.Recording
typealias LiveView = RelayAPI.LiveView

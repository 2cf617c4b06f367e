import CFuzzDriver
import Foundation

/// libFuzzer drives `fuzzSRTStreamID` with the command line's options and corpus directories.
@main
enum FuzzSRTStreamIDEntry {
    static func main() {
        var count = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(
            LLVMFuzzerRunDriver(&count, &arguments) { data, size in
                guard let data else { return 0 }
                return fuzzSRTStreamID(data, size)
            })
    }
}

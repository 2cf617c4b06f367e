import CFuzzDriver
import Foundation

/// libFuzzer drives `fuzzHandshake` with the command line's options and corpus directories.
@main
enum FuzzHandshakeEntry {
    static func main() {
        var count = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(
            LLVMFuzzerRunDriver(&count, &arguments) { data, size in
                guard let data else { return 0 }
                return fuzzHandshake(data, size)
            })
    }
}

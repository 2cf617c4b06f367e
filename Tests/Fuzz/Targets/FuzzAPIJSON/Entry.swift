import CFuzzDriver
import Foundation

/// libFuzzer drives `fuzzAPIJSON` with the command line's options and corpus directories.
@main
enum FuzzAPIJSONEntry {
    static func main() {
        var count = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(
            LLVMFuzzerRunDriver(&count, &arguments) { data, size in
                guard let data else { return 0 }
                return fuzzAPIJSON(data, size)
            })
    }
}

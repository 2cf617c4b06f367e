import CFuzzDriver
import Foundation

/// libFuzzer drives `fuzzChunkDecoder` with the command line's options and corpus directories.
@main
enum FuzzChunkDecoderEntry {
    static func main() {
        var count = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(
            LLVMFuzzerRunDriver(&count, &arguments) { data, size in
                guard let data else { return 0 }
                return fuzzChunkDecoder(data, size)
            })
    }
}

import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(TollgateCLI.main(CommandLine.arguments))

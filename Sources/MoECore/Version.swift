package enum MoECoreVersion { package static let string = "0.1.0" }

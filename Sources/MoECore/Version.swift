public enum MoECoreVersion { public static let string = "0.1.0" }

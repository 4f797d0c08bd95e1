import MoECore

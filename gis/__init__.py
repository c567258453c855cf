"""planlayers: digitised spatial structures of five 苏南 planning documents as cited GIS layers."""

__version__ = "0.1.0"

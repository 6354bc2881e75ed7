// Stratum's messages are JSON values: users of Stratum get the JSON module with it.
@_exported import JSON

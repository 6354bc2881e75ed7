/// What the control API needs from the miner. `NightMiner` implements it; the API never sees the engine
/// or the stratum client directly, only these snapshots and commands.
///
/// Every method is called on the HTTP server's thread and must return quickly.
package protocol ControlService: Sendable {
    /// A snapshot of the statistics.
    func stats() -> StatsDocument
    /// Starts mining (idempotent); returns the resulting state. 409 when no pool is configured.
    func startMining() throws(Problem) -> MiningStateDocument
    /// Stops mining (idempotent); returns the resulting state.
    func stopMining() -> MiningStateDocument
    /// Every pool, in priority order.
    func pools() -> [PoolDocument]
    /// Adds a pool (url and user required) and saves the configuration.
    func addPool(_ input: PoolInput) throws(Problem) -> PoolDocument
    /// Changes a pool and saves; reconnects when the active pool's credentials or algorithm changed.
    func updatePool(id: Int, _ input: PoolInput) throws(Problem) -> PoolDocument
    /// Removes a pool and saves.
    func deletePool(id: Int) throws(Problem)
    /// Makes a pool the active one and saves; reconnects when mining.
    func activatePool(id: Int) throws(Problem) -> PoolDocument
    /// The settings.
    func config() -> ConfigDocument
    /// Changes settings and saves.
    func updateConfig(_ input: ConfigInput) throws(Problem) -> ConfigDocument
    /// Whether the miner is authorized, has a fresh job and is hashing.
    func readiness() -> ReadinessDocument
    /// The metrics in Prometheus' text format (`GET /metrics`).
    func metrics() -> [UInt8]
    /// What happened lately, for `GET /events`.
    var events: EventJournal { get }
}

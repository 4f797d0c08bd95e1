import MoECore

/// The declared closed-loop clients of one deployment, and how many arrivals they still owe: a client that has
/// had `finished` of its requests answered has launched min(total, workers + finished) of them, so the
/// requests launched and not yet arrived are that less `arrived`. A plain value; the host keeps it behind its
/// lock.
struct ClosedLoopClients: Sendable {
    private struct Client {
        var plan: ClosedLoopPlan
        var arrived = 0
        var finished = 0
        /// Stopped waiting for: it did not send what it owed within the patience.
        var gone = false
        var owed: Int { gone ? 0 : max(0, min(plan.total, plan.workers + finished) - arrived) }
    }
    private var clients: [String: Client] = [:]
    /// Clients whose every request was sent and answered: a late request of theirs (a retry) owes nothing.
    private var done: Set<String> = []

    /// Arrivals the declared clients still owe.
    private(set) var owed = 0

    /// A request of `plan`'s client arrived.
    mutating func arrived(_ plan: ClosedLoopPlan) {
        guard !done.contains(plan.client) else { return }
        var c = clients[plan.client] ?? Client(plan: plan)
        c.plan = plan
        c.arrived += 1
        store(c)
    }

    /// `count` requests of client `id` finished (answered, failed or abandoned by the client).
    mutating func finished(_ id: String, count: Int = 1) {
        guard var c = clients[id] else { return }
        c.finished += count
        store(c)
    }

    /// The clients that still owe arrivals are waited for no more (they did not send within the patience).
    mutating func giveUpOnOwing() {
        for (id, var c) in clients where c.owed > 0 {
            c.gone = true
            store(c, id: id)
        }
    }

    private mutating func store(_ c: Client, id: String? = nil) {
        let key = id ?? c.plan.client
        owed -= clients[key]?.owed ?? 0
        owed += c.owed
        // A client with everything sent and answered is forgotten.
        if c.arrived >= c.plan.total, c.finished >= c.arrived {
            clients[key] = nil
            done.insert(key)
        } else {
            clients[key] = c
        }
    }
}

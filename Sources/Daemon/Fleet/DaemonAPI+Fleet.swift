import Hummingbird

/// `GET /v1/hosts` (the hosts sharing the store, without their tokens) and
/// `GET /v1/model-endpoints` (each pool's servers and whether they take requests now).
extension DaemonAPI {
    func addFleetRoutes(to router: Router<DaemonRequestContext>) {
        let store = self.store, pools = self.pools
        router.get("/v1/hosts") { _, _ in try await Self.guarded { JSONResponse.make(try await store.hosts()) } }
        router.get("/v1/model-endpoints") { _, _ in
            JSONResponse.make(pools.mapValues { $0.status })
        }
    }
}

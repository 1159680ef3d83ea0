/* GET /healthz: one ping, for a load balancer's frequent checks; none in
 * an outage the pool already knows of (it answers at once then), nor while
 * the instance drains after SIGTERM (503 then, whatever the database). */
#include "app.h"
#include "db.h"
#include "handlers.h"

void
handle_healthz(struct http_request *req)
{
	static const char ok[] = "ok\n", down[] = "database unavailable\n",
	                  draining[] = "draining: shutting down\n";

	if (atomic_load(&http_req_app(req)->draining))
		http_respond_static(req, 503, "text/plain; charset=utf-8",
		                    draining, sizeof(draining) - 1);
	else if (db_pool_available(http_req_app(req)->db) &&
	         db_ping(http_req_app(req)->db) == 0)
		http_respond_static(req, 200, "text/plain; charset=utf-8", ok,
		                    sizeof(ok) - 1);
	else
		http_respond_static(req, 503, "text/plain; charset=utf-8", down,
		                    sizeof(down) - 1);
}

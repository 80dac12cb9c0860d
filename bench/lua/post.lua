-- Scenario post-1mib: POST /upload with a 1 MiB body (wrk adds Content-Length). The origin
-- reads the whole body before it answers 200, so the proxy has to stream all of it.
wrk.method = "POST"
wrk.path = "/upload"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.body = string.rep("x", 1024 * 1024)

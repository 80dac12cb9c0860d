-- Scenario throughput: plain GET / (the origin answers 1 KiB), as fast as the connections go.
wrk.method = "GET"

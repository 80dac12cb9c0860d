/**
 * The forwarding path of one client request: receive and check it ({@link
 * io.salve.proxy.forward.ClientRequestReceiver}, {@link io.salve.proxy.forward.RequestChecks},
 * {@link io.salve.proxy.forward.RequestTarget}), route it, admit it ({@link
 * io.salve.proxy.forward.AdmissionControl}, implemented by shed/), run the attempts against an
 * upstream with retries and replay ({@link io.salve.proxy.forward.ProxyExchange}, {@link
 * io.salve.proxy.forward.RetryControl}, {@link io.salve.proxy.forward.ReplayBuffer}), write the
 * answer or salve's own error answer ({@link io.salve.proxy.forward.ErrorResponses}), enforce the
 * client timeouts ({@link io.salve.proxy.forward.ClientTimeoutsHandler}) and report the finished
 * exchange to {@link io.salve.proxy.forward.ExchangeObserver}s (access log, metrics). Every
 * exchange lives on its client connection's event loop.
 *
 * <p>May import: Netty, config/, codec/, route/, resilience/, transport/, upstream/, util/. Never
 * server/ (which builds the pipeline around it), never metrics/ (observers attach from outside).
 */
package io.salve.proxy.forward;

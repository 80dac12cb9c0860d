package io.salve.it;

/** The forwarding scenarios with a single event loop: client and upstream I/O share one thread. */
class ForwardingOneLoopIT extends AbstractForwardingIT {
  @Override
  int eventLoops() {
    return 1;
  }
}

package io.salve.it;

/** The forwarding scenarios with two event loops: connections spread over loops, pools per loop. */
class ForwardingTwoLoopsIT extends AbstractForwardingIT {
  @Override
  int eventLoops() {
    return 2;
  }
}

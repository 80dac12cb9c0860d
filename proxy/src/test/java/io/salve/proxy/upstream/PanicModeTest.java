package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PanicModeTest {

  private static final List<String> ALL = List.of("a", "b", "c", "d");

  @Test
  void exactlyAtThresholdIsNotPanic() {
    assertThat(PanicMode.inPanic(2, 4, 0.5)).isFalse();
    // 0.3 * 10 rounds above 3 in floating point; the share 3/10 must still count as "at".
    assertThat(PanicMode.inPanic(3, 10, 0.3)).isFalse();
    assertThat(PanicMode.inPanic(1, 3, 1.0 / 3)).isFalse();
  }

  @Test
  void belowThresholdIsPanic() {
    assertThat(PanicMode.inPanic(1, 4, 0.5)).isTrue();
    assertThat(PanicMode.inPanic(2, 10, 0.3)).isTrue();
    assertThat(PanicMode.inPanic(0, 4, 0.5)).isTrue();
    assertThat(PanicMode.inPanic(9, 10, 1.0)).isTrue();
  }

  @Test
  void aboveThresholdIsNotPanic() {
    assertThat(PanicMode.inPanic(3, 4, 0.5)).isFalse();
    assertThat(PanicMode.inPanic(4, 4, 0.5)).isFalse();
    assertThat(PanicMode.inPanic(10, 10, 1.0)).isFalse();
  }

  @Test
  void thresholdZeroDisablesPanic() {
    assertThat(PanicMode.inPanic(0, 4, 0.0)).isFalse();
    assertThat(PanicMode.inPanic(1, 100, 0.0)).isFalse();
  }

  @Test
  void noEndpointsIsNeverPanic() {
    assertThat(PanicMode.inPanic(0, 0, 0.5)).isFalse();
    assertThat(PanicMode.inPanic(0, 0, 1.0)).isFalse();
  }

  @Test
  void rejectsImpossibleArguments() {
    assertThatThrownBy(() -> PanicMode.inPanic(5, 4, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PanicMode.inPanic(-1, 4, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PanicMode.inPanic(1, 4, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PanicMode.inPanic(1, 4, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PanicMode.inPanic(1, 4, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PanicMode.eligible(ALL, e -> true, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eligibleReturnsTheSameListWhenAllAreHealthy() {
    List<String> all = new ArrayList<>(ALL);

    assertThat(PanicMode.eligible(all, e -> true, 0.5)).isSameAs(all);
    assertThat(PanicMode.eligible(all, e -> true, 0.0)).isSameAs(all);
  }

  @Test
  void eligibleOfNoEndpointsIsTheEmptyInput() {
    List<String> none = List.of();

    assertThat(PanicMode.eligible(none, e -> true, 0.5)).isSameAs(none);
    assertThat(PanicMode.eligible(none, e -> false, 0.0)).isEmpty();
  }

  @Test
  void eligibleFiltersToHealthyOnesInOrderWhenNotInPanic() {
    assertThat(PanicMode.eligible(ALL, healthy("a", "c", "d"), 0.5)).containsExactly("a", "c", "d");
    assertThat(PanicMode.eligible(ALL, healthy("b", "d"), 0.5)).containsExactly("b", "d");
    assertThat(PanicMode.eligible(ALL, healthy("d"), 0.0)).containsExactly("d");
  }

  @Test
  void eligibleReturnsAllInPanic() {
    assertThat(PanicMode.eligible(ALL, healthy("c"), 0.5)).isSameAs(ALL);
    assertThat(PanicMode.eligible(ALL, healthy(), 0.5)).isSameAs(ALL);
  }

  @Test
  void eligibleIsEmptyWhenNoneIsHealthyAndPanicIsDisabled() {
    assertThat(PanicMode.eligible(ALL, healthy(), 0.0)).isEmpty();
  }

  @Test
  void eligibleAsksEachEndpointOnce() {
    AtomicInteger calls = new AtomicInteger();
    Predicate<String> counting =
        e -> {
          calls.incrementAndGet();
          return !e.equals("b");
        };

    PanicMode.eligible(ALL, counting, 0.5);

    assertThat(calls).hasValue(ALL.size());
  }

  @Test
  void eligibleWorksOnSequentialLists() {
    List<String> linked = new LinkedList<>(ALL);

    assertThat(PanicMode.eligible(linked, healthy("a", "b", "d"), 0.5))
        .containsExactly("a", "b", "d");
  }

  private static Predicate<String> healthy(String... names) {
    return Set.of(names)::contains;
  }
}

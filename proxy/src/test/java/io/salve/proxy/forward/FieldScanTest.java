package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.codec.ReceivedHead;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldScanTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "Connection, 1",
    "KEEP-ALIVE, 2",
    "proxy-connection, 4",
    "Te, 8",
    "Trailer, 16",
    "transfer-Encoding, 32",
    "Upgrade, 64",
    "VIA, 128",
    "Forwarded, 256",
    "X-Real-IP, 512",
    "X-Request-Id, 1024",
    "X-Forwarded-For, 2048",
    "x-forwarded-x, 2048",
    "X-Salve-Error, 4096",
    "x-salve-a, 4096", // as short as a prefixed name gets: shares its length with Forwarded
    "x-salve-, 0", // the bare prefix is not a salve field
    "x-forwarded-, 0",
    "Host, 0",
    "Content-Length, 8192",
    "X-Connection, 0"
  })
  void findsEachFieldInAnyCase(String name, int bit) {
    HttpHeaders h = new DefaultHttpHeaders().add("Accept", "*/*").add(name, "v").add("User-Agent", "t");
    String head = "GET / HTTP/1.1\r\nAccept: */*\r\n" + name + ": v\r\nUser-Agent: t\r\n\r\n";
    HttpHeaders received = ReceivedHead.split(head.getBytes(StandardCharsets.ISO_8859_1)).headers();

    assertThat(FieldScan.of(h)).isEqualTo(bit);
    assertThat(FieldScan.of(received)).as("from the split of a received head").isEqualTo(bit);
    received.add("Via", "1.1 salve");
    assertThat(FieldScan.of(received)).as("after an edit").isEqualTo(bit | FieldNames.VIA);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Connection", "Trailer", "Via", "X-Salve-Attempts"})
  void collectsTheBitsOfEveryLine(String extra) {
    HttpHeaders h = new DefaultHttpHeaders().add("Keep-Alive", "5").add(extra, "v").add("X-Forwarded-Host", "h");

    assertThat(FieldScan.of(h))
        .isEqualTo(FieldNames.KEEP_ALIVE | FieldNames.X_FORWARDED | FieldScan.of(new DefaultHttpHeaders().add(extra, "v")));
    assertThat(FieldScan.of(new DefaultHttpHeaders().add(extra, "v"))).isNotZero();
  }
}

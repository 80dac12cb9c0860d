package io.salve.proxy.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.salve.config.Cidr;
import io.salve.config.HostPort;
import io.salve.config.Values;
import java.io.IOException;
import java.time.Duration;

/** The admin API's JSON mapping: durations as {@code 250ms}/{@code 5s}, addresses as text. */
final class AdminJson {
  private AdminJson() {}

  static ObjectMapper mapper() {
    SimpleModule m = new SimpleModule("salve");
    m.addSerializer(Duration.class, new ToText<>(Values::format));
    m.addSerializer(HostPort.class, new ToText<>(HostPort::toString));
    m.addSerializer(Cidr.class, new ToText<>(Cidr::toString));
    return new ObjectMapper().registerModule(m);
  }



  private static final class ToText<T> extends JsonSerializer<T> {
    private final java.util.function.Function<T, String> f;

    ToText(java.util.function.Function<T, String> f) {
      this.f = f;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(f.apply(value));
    }
  }
}

package io.salve.proxy;

import io.salve.config.ConfigError;
import io.salve.config.ConfigException;
import io.salve.config.ConfigLoader;
import io.salve.config.Durations;
import io.salve.config.HostPort;
import io.salve.config.SalveConfig;
import io.salve.proxy.tls.TlsSetup;
import io.salve.proxy.transport.TransportChoice;
import io.salve.proxy.transport.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code salve} command line. */
@Command(
    name = "salve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A self-healing sidecar reverse proxy.",
    footer = {"", "Exit codes: 0 ok, 1 invalid configuration or startup failure, 2 usage error."})
public final class Main implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Run with this configuration file.")
  Path config;

  @Option(names = "--check-config", paramLabel = "FILE", description = "Validate a configuration file and exit.")
  Path checkConfig;

  @Option(
      names = "--demo-upstream",
      paramLabel = "HOST:PORT",
      description = "Also start a built-in demo upstream that echoes requests as JSON (for trying salve).")
  String demoUpstream;

  @Option(
      names = "--event-loops",
      paramLabel = "N",
      description = "Event loop threads (default: system property salve.eventLoops, else the CPU count).")
  Integer eventLoops;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description =
          "Socket transport: io_uring, epoll or nio (default: system property salve.transport, else io_uring);"
              + " falls back to the next one when the kernel does not allow it.")
  String transport;

  @Option(
      names = "--warm-up",
      paramLabel = "DURATION",
      description =
          "Send requests through salve's own forwarding path on loopback for this long before the listeners"
              + " open and /ready answers, so that the first real requests are not served slowly (default:"
              + " system property salve.warmUp, else 1s; 0s skips it).")
  String warmUp;

  public static void main(String[] args) {
    chooseAllocator();
    CommandLine cl = new CommandLine(new Main());
    int code = cl.execute(args);
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = new PrintWriter(System.err, true);
    if (checkConfig != null) {
      SalveConfig c = load(checkConfig, err);
      if (c == null) {
        return 1;
      }
      List<String> tlsProblems = TlsSetup.check(c);
      if (!tlsProblems.isEmpty()) {
        tlsProblems.forEach(p -> err.println("salve: " + p));
        err.println(checkConfig + ": " + tlsProblems.size() + " TLS error(s)");
        return 1;
      }
      System.out.println(checkConfig + ": configuration OK");
      return 0;
    }
    if (config == null) {
      err.println("salve: --config FILE or --check-config FILE is required (see --help)");
      return 2;
    }
    if (!chooseTransport(err)) {
      return 2;
    }
    Duration warm = warmUpDuration();
    if (warm == null) {
      err.println("salve: --warm-up must be a duration such as 1s, 500ms or 0s");
      return 2;
    }
    SalveConfig c = load(config, err);
    if (c == null) {
      return 1;
    }
    int loops = eventLoops != null ? eventLoops : Integer.getInteger("salve.eventLoops", Runtime.getRuntime().availableProcessors());
    return run(c, Math.max(1, loops), warm, err);
  }

  /** @return the warm-up asked for ({@code --warm-up}, else {@code salve.warmUp}, else 1 s), or null if unreadable */
  private Duration warmUpDuration() {
    String text = warmUp != null ? warmUp : System.getProperty("salve.warmUp", "1s");
    return text.trim().equals("0") ? Duration.ZERO : Durations.parse(text);
  }

  private int run(SalveConfig c, int loops, Duration warm, PrintWriter err) throws InterruptedException {
    DemoUpstream demo = null;
    Salve salve;
    try {
      salve = new Salve(c, loops);
    } catch (IllegalStateException e) {
      err.println("salve: cannot start: " + e.getMessage()); // e.g. a certificate file that cannot be used
      return 1;
    }
    try {
      salve.enableReload(config, ConfigLoader.withSystemEnvironment());
      salve.warmUpFor(warm);
      if (demoUpstream != null) {
        demo = new DemoUpstream(Transports.newGroup(1, "salve-demo"), parseHostPort(demoUpstream));
      }
      salve.start();
    } catch (Exception e) {
      err.println("salve: cannot start: " + e.getMessage());
      salve.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    int[] exit = {0};
    Runnable stop =
        () -> {
          try {
            salve.shutdown(); // logs the last line, including a drain timeout
            exit[0] = 0;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            stopped.countDown();
          }
        };
    ShutdownSignals.install(stop);
    ShutdownSignals.onHangup(() -> salve.reload("SIGHUP"));
    stopped.await();
    if (demo != null) {
      demo.close();
    }
    return exit[0];
  }

  /**
   * Netty's pooled allocator with 1 MiB chunks, unless {@code io.netty.allocator.type} says otherwise:
   * set before anything loads Netty's buffer classes, which read these properties once. On the users'
   * benchmark run (docs/tuning.md) it took 6-8% less CPU per request than Netty 4.2's default adaptive
   * allocator, whose per-buffer bookkeeping showed in profiles; 1 MiB chunks instead of 4 keep its
   * extra resident memory to a few MiB. Its count of pinned bytes is off unless asked for: nothing in
   * salve reads it, and keeping it cost a shared {@code LongAdder} update on every allocation and every
   * release, about 3% of the CPU on that run. Netty's object recycler is off
   * ({@code io.netty.recycler.maxCapacityPerThread=0}): a pooled buffer's object and an outbound entry
   * are allocated fresh and left to the young collector, which on that run cost less than taking them
   * back through the recycler's per-thread queues (9.3-9.4 against 9.7-9.9 µs of CPU per request in
   * two A/B pairs, at 0.60 young collections per 1,000 requests instead of 0.43; bin/jvm.flags gives
   * the young generation larger survivor spaces for the requests in flight). Asked for again with
   * that property, it keeps up to 2,048 recycled objects per thread in its plain local batch instead
   * of 32 (2,048 is the most Netty allows beside its per-thread capacity of 4,096).
   */
  static void chooseAllocator() {
    if (System.getProperty("io.netty.allocator.type") == null) {
      System.setProperty("io.netty.allocator.type", "pooled");
      if (System.getProperty("io.netty.allocator.maxOrder") == null) {
        System.setProperty("io.netty.allocator.maxOrder", "7");
      }
    }
    if (System.getProperty("io.netty.trackPinnedMemory") == null) {
      System.setProperty("io.netty.trackPinnedMemory", "false");
    }
    if (System.getProperty("io.netty.recycler.maxCapacityPerThread") == null) {
      System.setProperty("io.netty.recycler.maxCapacityPerThread", "0");
    }
    if (System.getProperty("io.netty.recycler.chunkSize") == null) {
      System.setProperty("io.netty.recycler.chunkSize", "2048");
    }
  }

  /** Checks the transport asked for before anything touches {@link Transports}, which reads it once. */
  private boolean chooseTransport(PrintWriter err) {
    if (transport != null) {
      System.setProperty(Transports.PROPERTY, transport);
    }
    try {
      TransportChoice.parse(System.getProperty(Transports.PROPERTY));
      return true;
    } catch (IllegalArgumentException e) {
      err.println("salve: " + (transport != null ? "--transport" : "-D" + Transports.PROPERTY) + ": " + e.getMessage());
      return false;
    }
  }

  private static SalveConfig load(Path file, PrintWriter err) {
    try {
      return ConfigLoader.withSystemEnvironment().load(file);
    } catch (ConfigException e) {
      if (e.fileUnreadable()) {
        err.println("salve: cannot read config file " + file + ": " + e.errors().get(0).message());
        return null;
      }
      for (ConfigError error : e.errors()) {
        err.println(error);
      }
      err.println(file + ": " + e.errors().size() + " error(s); nothing was started");
      return null;
    }
  }

  private static HostPort parseHostPort(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new CommandLine.ParameterException(new CommandLine(new Main()), "expected HOST:PORT, got " + s);
    }
    return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/salve-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"salve " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
    }
  }
}

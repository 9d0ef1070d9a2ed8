package io.dsipanama.ffm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The other process of {@link UserfaultfdCrossProcessTest}: opens the parent's memfd through
 * {@code /proc/PID/fd/N}, maps it writable and, on command, punches holes and rewrites pages.
 * Args: path, page size, pages. Commands on stdin: {@code punch N}, {@code rewrite N BYTE}, {@code exit}.
 */
public final class UffdPunchChild {
    private UffdPunchChild() {
    }

    public static void main(String[] args) throws Exception {
        String path = args[0];
        long page = Long.parseLong(args[1]);
        long size = page * Long.parseLong(args[2]);
        int fd = Fcntl.open(path, Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        if (fd < 0) {
            say("error open " + path + ": " + Errno.name(-fd));
            System.exit(2);
        }
        try (Arena arena = Arena.ofConfined();
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            MemorySegment mapping = Mman.map(arena, size, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            say("ready");
            for (String line; (line = in.readLine()) != null; ) {
                String[] cmd = line.trim().split(" ");
                switch (cmd[0]) {
                    case "punch" -> {
                        int n = Integer.parseInt(cmd[1]);
                        Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, n * page, page);
                        say("punched " + n);
                    }
                    case "rewrite" -> {
                        int n = Integer.parseInt(cmd[1]);
                        Fcntl.fallocate(fd, Fcntl.FALLOC_FL_PUNCH_HOLE | Fcntl.FALLOC_FL_KEEP_SIZE, n * page, page);
                        // a fresh page enters the page cache through our (unregistered) mapping
                        mapping.asSlice(n * page, page).fill((byte) Integer.parseInt(cmd[2]));
                        say("rewritten " + n);
                    }
                    case "exit" -> {
                        Unistd.close(fd);
                        say("bye");
                        return;
                    }
                    default -> say("error unknown command " + line);
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}

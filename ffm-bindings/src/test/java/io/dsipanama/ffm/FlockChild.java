package io.dsipanama.ffm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** For {@link SysFileTest}: opens the file named by args[0], takes an exclusive flock, says so and waits. */
final class FlockChild {
    private FlockChild() {
    }

    public static void main(String[] args) throws Exception {
        int fd = Fcntl.open(args[0], Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        System.out.println("flock rc=" + SysFile.flock(fd, SysFile.LOCK_EX));
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            in.readLine(); // killed before this returns
        }
    }
}

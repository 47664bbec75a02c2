package io.nodemesh.examples.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 response read off a keep-alive connection: status line, headers up to the blank line, and a body of
 * {@code Content-Length} bytes (the lab's servers always send one). Enough for a client that must make its socket on
 * a namespace thread, which the JDK's HttpClient cannot be told to do.
 *
 * @param status the status code
 * @param body   the body as text
 * @param size   bytes read, headers included
 */
record HttpReply(int status, String body, int size) {
    static HttpReply read(InputStream in) throws IOException {
        int size = 0;
        int status = -1;
        int length = 0;
        for (String line; !(line = line(in)).isEmpty(); ) {
            size += line.length() + 2;
            if (status < 0) {
                String[] w = line.split(" ");
                if (w.length < 2 || !w[0].startsWith("HTTP/"))
                    throw new IOException("not an HTTP status line: " + line);
                status = Integer.parseInt(w[1]);
            } else if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) throw new IOException("the body ended after " + body.length + " of " + length);
        return new HttpReply(status, new String(body, StandardCharsets.US_ASCII), size + 2 + length);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("the connection closed inside an HTTP response");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}

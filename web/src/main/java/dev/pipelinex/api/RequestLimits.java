package dev.pipelinex.api;

import dev.pipelinex.config.Settings;
import dev.pipelinex.job.MetadataParser;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Bounds every request before its body is read: a header value longer than
 * {@link #MAX_HEADER_CHARS} is refused (431); a submission whose {@code Content-Length} passes
 * its limit is refused (413) without reading a byte of the body, and a body without one
 * (chunked) is cut off with the same refusal as soon as it passes the limit. The limit of an
 * upload is {@code pipelinex.intake.max-upload-bytes} plus room for the metadata and the
 * multipart framing; a repository request may be {@link #MAX_JSON_BYTES}.
 */
@Provider
@PreMatching
public class RequestLimits implements ContainerRequestFilter {

    static final int MAX_HEADER_CHARS = 8 * 1024;
    /** A JSON body: the metadata (16 Ki characters, at most 4 bytes each) and a URL. */
    static final int MAX_JSON_BYTES = 4 * MetadataParser.MAX_METADATA_CHARS + 1024;
    /** What a multipart upload may carry beyond the ZIP: the metadata part, headers, boundaries. */
    static final int MULTIPART_OVERHEAD = MAX_JSON_BYTES + 16 * 1024;

    @Inject
    private Settings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        for (Map.Entry<String, List<String>> h : request.getHeaders().entrySet()) {
            for (String v : h.getValue()) {
                if (v != null && v.length() > MAX_HEADER_CHARS) {
                    throw new RequestRefusedException(Refusal.HEADER_TOO_LARGE, "header '" + abbreviate(h.getKey())
                            + "' is " + v.length() + " characters long; the limit is " + MAX_HEADER_CHARS);
                }
            }
        }
        if (!"POST".equals(request.getMethod())) {
            return;
        }
        String path = request.getUriInfo().getPath();
        long limit = bodyLimit(path, settings.intakeLimits().maxUploadBytes());
        String what;
        if (isUpload(path)) {
            jakarta.ws.rs.core.MediaType type = request.getMediaType();
            if (type != null && type.isCompatible(jakarta.ws.rs.core.MediaType.MULTIPART_FORM_DATA_TYPE)
                    && (type.getParameters().get("boundary") == null || type.getParameters().get("boundary").isBlank())) {
                throw new RequestRefusedException(Refusal.MALFORMED_REQUEST, "the Content-Type multipart/form-data "
                        + "has no boundary parameter; send multipart/form-data; boundary=… with the parts "
                        + "'project_zip' and 'metadata'");
            }
            long upload = settings.intakeLimits().maxUploadBytes();
            what = "an upload may be " + (upload >> 20) + " MiB (pipelinex.intake.max-upload-bytes) plus "
                    + (MULTIPART_OVERHEAD >> 10) + " KiB for the metadata part and the multipart framing";
        } else {
            what = "a JSON request may be " + (MAX_JSON_BYTES >> 10) + " KiB";
        }
        String length = request.getHeaderString("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new RequestRefusedException(Refusal.MALFORMED_REQUEST, "the Content-Length header is not a number");
            }
            if (declared > limit) {
                throw tooLarge("the request body is " + declared + " bytes; " + what);
            }
        }
        request.setEntityStream(new Bounded(request.getEntityStream(), limit, "the request body is larger than "
                + limit + " bytes; " + what));
    }

    static boolean isUpload(String path) {
        return path.endsWith("jobs/upload");
    }

    /** The most a request body to {@code path} may be, with uploads of at most {@code maxUploadBytes}. */
    static long bodyLimit(String path, long maxUploadBytes) {
        return isUpload(path) ? maxUploadBytes + MULTIPART_OVERHEAD : MAX_JSON_BYTES;
    }

    private static RequestRefusedException tooLarge(String detail) {
        return new RequestRefusedException(Refusal.REQUEST_TOO_LARGE, detail);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** Refuses the request as soon as more than {@code limit} bytes have been read. */
    static final class Bounded extends FilterInputStream {
        private final long limit;
        private final String detail;
        private long count;

        Bounded(InputStream in, long limit, String detail) {
            super(in);
            this.limit = limit;
            this.detail = detail;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            count += n;
            if (count > limit) {
                throw tooLarge(detail);
            }
        }
    }
}

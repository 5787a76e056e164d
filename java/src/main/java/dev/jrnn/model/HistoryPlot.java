package dev.jrnn.model;

import dev.jrnn.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The loss-curve PNG of {@link History#plot}: the only class of jrnn that needs java.desktop (Java2D). */
final class HistoryPlot {
    private HistoryPlot() {}

    static void writePng(Map<String, List<Double>> values, Map<String, List<Integer>> rows, List<Integer> epochs, Path file) throws IOException {
        BufferedImage img = render(values, rows, epochs, 800, 500);
        AtomicFiles.write(file, out -> {
            if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    /**
     * Java2D for drawing into {@code img}. It needs no display when the JVM is headless, which it is by itself
     * where DISPLAY is unset; with DISPLAY naming an X server that cannot be reached, Java2D fails, and setting
     * {@code java.awt.headless} is the application's choice (JVM-wide), not this library's: say so.
     */
    private static Graphics2D graphics(BufferedImage img) {
        try {
            return img.createGraphics();
        } catch (java.awt.AWTError | NoClassDefFoundError e) {
            throw new IllegalStateException("History.plot: Java2D cannot start (" + e.getMessage() + "); run the JVM"
                    + " with -Djava.awt.headless=true to draw without a display", e);
        }
    }

    /** Renders the loss curves (loss and val_loss when recorded), each value at its row of {@code epochs} ({@code rows}). */
    static BufferedImage render(Map<String, List<Double>> values, Map<String, List<Integer>> rows, List<Integer> epochs, int w, int h) {
        List<String> keys = new ArrayList<>();
        for (String k : values.keySet()) if (k.equals("loss") || k.equals("val_loss")) keys.add(k);
        if (keys.isEmpty()) keys.addAll(values.keySet());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int left = 80, right = 20, top = 40, bottom = 50;
            int pw = w - left - right, ph = h - top - bottom;
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (String k : keys) for (double v : values.get(k)) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            if (!Double.isFinite(lo)) { lo = 0; hi = 1; }
            if (hi - lo < 1e-12) { hi = lo + (lo == 0 ? 1 : Math.abs(lo) * 0.1); }
            double pad = (hi - lo) * 0.05;
            lo -= pad;
            hi += pad;
            int n = Math.max(1, epochs.size());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // grid and tick labels
            for (int i = 0; i <= 5; i++) {
                double v = lo + (hi - lo) * i / 5;
                int y = top + ph - (int) Math.round(ph * (v - lo) / (hi - lo));
                g.setColor(new Color(230, 230, 230));
                g.drawLine(left, y, left + pw, y);
                g.setColor(Color.DARK_GRAY);
                String s = String.format(Locale.ROOT, Math.abs(hi) < 1e-2 ? "%.2e" : "%.4f", v);
                g.drawString(s, left - g.getFontMetrics().stringWidth(s) - 6, y + 4);
            }
            int xt = Math.max(1, n / 10);
            for (int i = 0; i < n; i += xt) {
                int x = left + (n == 1 ? pw / 2 : (int) Math.round((double) pw * i / (n - 1)));
                g.setColor(Color.DARK_GRAY);
                String s = Integer.toString(epochs.isEmpty() ? i + 1 : epochs.get(i) + 1);
                g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, top + ph + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(left, top, pw, ph);
            g.drawString("epoch", left + pw / 2 - 15, h - 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString("model loss", left + pw / 2 - 35, 24);
            Color[] colors = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40)};
            g.setStroke(new BasicStroke(2f));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int k = 0; k < keys.size(); k++) {
                List<Double> l = values.get(keys.get(k));
                List<Integer> at = rows.get(keys.get(k));
                g.setColor(colors[k % colors.length]);
                int px = -1, py = -1;
                for (int j = 0; j < l.size(); j++) {
                    double v = l.get(j);
                    int i = at.get(j);
                    if (!Double.isFinite(v)) { px = -1; continue; }
                    int x = left + (n == 1 ? pw / 2 : (int) Math.round((double) pw * i / (n - 1)));
                    int y = top + ph - (int) Math.round(ph * (v - lo) / (hi - lo));
                    if (px >= 0) g.drawLine(px, py, x, y);
                    else g.fillOval(x - 2, y - 2, 4, 4);
                    px = x;
                    py = y;
                }
                int ly = top + 18 + 18 * k;
                g.drawLine(left + pw - 110, ly - 4, left + pw - 85, ly - 4);
                g.setColor(Color.BLACK);
                g.drawString(keys.get(k), left + pw - 80, ly);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

}

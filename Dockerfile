FROM node:22-bookworm-slim
# git for the workspaces; busybox-static for `tevis tpu build-image` (runtime/tpu-image.ts), which
# makes the TPU image through the engine's socket from a statically linked busybox.
RUN apt-get update && apt-get install -y --no-install-recommends git busybox-static ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
# Workers start faster with the workflow bundle built once here.
RUN npx tsx worker/bundle.ts
ENV TEVIS_HOME=/var/lib/tevis
EXPOSE 8082
ENTRYPOINT []
CMD ["node", "bin/tevis.js", "up"]

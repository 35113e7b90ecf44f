FROM node:22-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
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

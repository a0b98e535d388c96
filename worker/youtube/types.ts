/** The parts of Google's responses the product reads (shapes from Google's API reference). */

/** A thumbnail of a video or channel. */
export interface Thumbnail {
  url: string;
  width?: number;
  height?: number;
}

/** `video.snippet`. Everything here is sent back on update, so unknown fields are kept too. */
export interface VideoSnippet {
  publishedAt: string;
  channelId: string;
  title: string;
  description: string;
  thumbnails: Record<string, Thumbnail>;
  channelTitle: string;
  tags?: string[];
  categoryId: string;
  liveBroadcastContent?: string;
  defaultLanguage?: string;
  localized?: { title: string; description: string };
  defaultAudioLanguage?: string;
}

/** `video.statistics` (counts are strings on the wire; parsed to numbers by the client). */
export interface VideoStatistics {
  viewCount: number;
  likeCount: number;
  commentCount: number;
}

/** A video as the client returns it. */
export interface Video {
  id: string;
  snippet?: VideoSnippet;
  statistics?: VideoStatistics;
  status?: { privacyStatus: string; uploadStatus?: string; madeForKids?: boolean };
  contentDetails?: { duration: string; definition?: string };
}

/** The signed-in user's channel. */
export interface Channel {
  id: string;
  title: string;
  description: string;
  customUrl?: string;
  thumbnailUrl?: string;
  uploadsPlaylistId: string;
  statistics?: { viewCount: number; subscriberCount: number; videoCount: number };
}

/** One upload from the uploads playlist. */
export interface Upload {
  videoId: string;
  title: string;
  publishedAt: string;
  thumbnailUrl?: string;
  position: number;
}

/** A page of uploads. */
export interface UploadsPage {
  items: Upload[];
  nextPageToken?: string;
  totalResults: number;
}

/**
 * One day of a video's Analytics (a Pacific day, YYYY-MM-DD). Thumbnail impressions are not here:
 * the Analytics API does not serve them (see `DailyReach` of the Reporting client).
 */
export interface DailyVideoMetrics {
  day: string;
  views: number;
  estimatedMinutesWatched: number;
  averageViewDuration: number;
}

/** Tokens from the token endpoint. */
export interface TokenSet {
  accessToken: string;
  /** ms since epoch. */
  expiresAt: number;
  refreshToken?: string;
  idToken?: string;
  scope: string;
}

/** The verified identity in an ID token. */
export interface GoogleIdentity {
  sub: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  picture?: string;
  nonce?: string;
}

/** Raw wire shapes (only what the client reads). */
export namespace Wire {
  export interface VideoResource {
    id: string;
    snippet?: VideoSnippet;
    statistics?: { viewCount?: string; likeCount?: string; commentCount?: string };
    status?: Video["status"];
    contentDetails?: Video["contentDetails"];
  }
  export interface VideoListResponse {
    kind: "youtube#videoListResponse";
    items: VideoResource[];
  }
  export interface ChannelListResponse {
    kind: "youtube#channelListResponse";
    items?: {
      id: string;
      snippet?: {
        title: string;
        description: string;
        customUrl?: string;
        thumbnails?: Record<string, Thumbnail>;
      };
      contentDetails?: { relatedPlaylists: { uploads: string } };
      statistics?: { viewCount?: string; subscriberCount?: string; videoCount?: string };
    }[];
  }
  export interface PlaylistItemListResponse {
    kind: "youtube#playlistItemListResponse";
    nextPageToken?: string;
    pageInfo: { totalResults: number; resultsPerPage: number };
    items: {
      snippet?: {
        title: string;
        publishedAt: string;
        position: number;
        thumbnails?: Record<string, Thumbnail>;
        resourceId: { videoId: string };
      };
      contentDetails?: { videoId: string; videoPublishedAt?: string };
    }[];
  }
  export interface ResultTable {
    kind: "youtubeAnalytics#resultTable";
    columnHeaders: { name: string; columnType: string; dataType: string }[];
    rows?: (string | number)[][];
  }
  export interface TokenResponse {
    access_token: string;
    expires_in: number;
    refresh_token?: string;
    id_token?: string;
    scope: string;
    token_type: string;
  }
}
